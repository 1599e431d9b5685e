"""The workspace: signing in, the business manager's journeys, and what other users must not see."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .pages import (
    NORTHDALE,
    AgencyDetail,
    AgencyList,
    ForbiddenPage,
    GroupDetail,
    LockedOutPage,
    NotFoundPage,
    SignInPage,
    WorkspaceHome,
)

pytestmark = pytest.mark.e2e

MANAGER = "manager@northdale.example"
READ_ONLY = "readonly@northdale.example"
OTHER_MANAGER = "manager@eastmoor-westbrook.example"
BOARD = "Northdale Safeguarding Children Board"


def _id_of(app, table: str, name: str, slug: str = "northdale") -> int:
    rows = app.query(
        f"SELECT t.id FROM partnerships_{table} t JOIN partnerships_partnership p ON p.id = t.partnership_id "
        "WHERE t.name = ? AND p.slug = ?",
        (name, slug),
    )
    assert len(rows) == 1, f"expected one {table} named {name!r} in {slug}, found {rows}"
    return rows[0][0]


def test_business_manager_signs_in_sees_the_demo_banner_and_their_roles_then_signs_out(page):
    home = SignInPage.open(page).sign_in(MANAGER)
    expect(home.demo_banner).to_contain_text("Demo installation")
    expect(home.page.get_by_role("banner")).to_contain_text("Business Manager (Northdale)")
    expect(home.roles.locator("tbody tr")).to_have_count(1)
    expect(home.roles.locator("tbody tr").first).to_contain_text(NORTHDALE)
    expect(home.roles.locator("tbody tr").first).to_contain_text(re.compile("Business manager", re.IGNORECASE))
    expect(home.nav_link("Audit log")).to_be_visible()

    index = home.sign_out()
    expect(index.page.get_by_role("banner").get_by_role("button", name="Sign out")).to_have_count(0)
    # Signed out for real: the workspace now asks for a sign-in again.
    page.goto("/workspace/")
    SignInPage(page)
    expect(page.page).to_have_url(re.compile(r"/accounts/login/\?next=/workspace/$"))


def test_business_manager_filters_agencies_by_sector(signed_in, screenshot):
    tab = signed_in(MANAGER)
    agencies = WorkspaceHome.open(tab).agencies()
    expect(agencies.caption).to_have_text(re.compile(r"^\d+ agencies$"))
    all_agencies = int(agencies.caption.inner_text().split()[0])
    assert all_agencies > 10
    screenshot(tab, "workspace-agencies")

    agencies.filter(sector="Police")
    expect(agencies.page).to_have_url(re.compile(r"sector=police"))
    expect(agencies.caption).to_have_text("1 agency")
    expect(agencies.rows).to_have_count(1)
    expect(agencies.rows.first).to_contain_text("Northdale Constabulary")
    expect(agencies.page.get_by_label("Sector")).to_have_value("police")

    agencies.filter(sector="Probation and youth justice", q="youth")
    expect(agencies.rows).to_have_count(1)
    expect(agencies.rows.first).to_contain_text("Northdale Youth Justice Service")


def test_board_page_shows_the_current_chair_and_the_previous_one(signed_in, screenshot):
    tab = signed_in(MANAGER)
    board = WorkspaceHome.open(tab).groups().open_group(BOARD)
    expect(board.page.get_by_text("Board of Northdale Safeguarding Children Partnership")).to_be_visible()

    current_chair = GroupDetail.chairs(board.current_members)
    past_chair = GroupDetail.chairs(board.past_members)
    expect(current_chair).to_have_count(1)
    expect(past_chair).to_have_count(1)
    expect(board.current_members.locator("tbody tr")).to_have_count(13)  # the chair and 12 members
    expect(current_chair.locator("td").nth(4)).to_have_text("")  # no end date: still the chair
    # The chair changed a year ago: the previous chair's term ended then, the new one's began the day after.
    ended = dt.datetime.strptime(past_chair.locator("td").nth(4).inner_text().strip(), "%d %b %Y").date()
    began = dt.datetime.strptime(current_chair.locator("td").nth(3).inner_text().strip(), "%d %b %Y").date()
    assert began - ended == dt.timedelta(days=1)
    assert 360 <= (dt.date.today() - ended).days <= 370
    assert current_chair.locator("td").first.inner_text() != past_chair.locator("td").first.inner_text()
    screenshot(tab, "board")


def test_business_manager_renames_an_agency_and_finds_the_change_in_the_audit_log(signed_in):
    tab = signed_in(MANAGER)
    old, new = "Young Minds Northdale", "Young Minds Northdale and Fellside"
    agencies = AgencyList.open(tab)
    agencies.filter(q="Young Minds")
    agency = agencies.open_agency(old).change().rename(new)
    expect(agency.success_banner()).to_contain_text("Agency saved")
    expect(agency.success_banner()).to_have_attribute("role", "alert")

    log = WorkspaceHome.open(tab).audit_log()
    latest = log.rows.first
    expect(latest).to_contain_text("Business Manager (Northdale)")
    expect(latest).to_contain_text(new)
    expect(latest).to_contain_text(f"name: {old} → {new}")

    # Put the name back, so the other tests and the README screenshots see the demo data as loaded.
    restored = AgencyList.open(tab)
    restored.filter(q="Young Minds")
    restored.open_agency(new).change().rename(old)


def test_read_only_user_sees_no_change_buttons_and_gets_403_on_an_edit_address(signed_in, app):
    tab = signed_in(READ_ONLY)
    home = WorkspaceHome.open(tab)
    expect(home.roles).to_contain_text(re.compile("Read-only|Read only", re.IGNORECASE))
    expect(home.nav_link("Audit log")).to_have_count(0)

    agency = home.agencies().open_agency("Northdale Constabulary")
    expect(agency.change_button).to_have_count(0)
    board = WorkspaceHome.open(tab).groups().open_group(BOARD)
    expect(board.change_controls).to_have_count(0)

    agency_id = _id_of(app, "agency", "Northdale Constabulary")
    tab.goto(f"/workspace/partnerships/agencies/{agency_id}/edit/", expect_status=403)
    forbidden = ForbiddenPage(tab)
    expect(forbidden.main.get_by_role("link", name="Go to the workspace")).to_be_visible()
    tab.goto("/workspace/audit/", expect_status=403)
    ForbiddenPage(tab)


def test_user_of_another_partnership_gets_404_for_its_records(signed_in, app):
    tab = signed_in(OTHER_MANAGER)
    agency_id = _id_of(app, "agency", "Northdale Constabulary")
    group_id = _id_of(app, "group", BOARD)
    for path in (
        f"/workspace/partnerships/agencies/{agency_id}/",
        f"/workspace/partnerships/agencies/{agency_id}/edit/",
        f"/workspace/partnerships/groups/{group_id}/",
    ):
        tab.goto(path, expect_status=404)
        expect(NotFoundPage(tab).main).not_to_contain_text("Northdale")
    # Their own partnership's records open as usual.
    own_id = _id_of(app, "agency", "Eastmoor and Westbrook Police", slug="eastmoor-westbrook")
    tab.goto(f"/workspace/partnerships/agencies/{own_id}/")
    AgencyDetail(tab, "Eastmoor and Westbrook Police")


def test_five_failed_sign_ins_lock_the_account(page):
    user = "training@eastmoor-westbrook.example"
    sign_in = SignInPage.open(page)
    for attempt in range(1, 5):
        sign_in.attempt(user, f"wrong-password-{attempt}")
        sign_in = SignInPage(page)
        expect(sign_in.error_summary).to_be_visible()
        expect(page.page).to_have_title(re.compile(r"^Error: Sign in"))
    sign_in.attempt(user, "wrong-password-5")
    locked = LockedOutPage(page)
    expect(locked.main).to_contain_text("too many failed attempts")
    # Locked means locked: the right password does not get in either.
    SignInPage.open(page).attempt(user, "demo-password-2026")
    LockedOutPage(page)
