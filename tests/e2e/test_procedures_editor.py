"""The procedures editor: write a new version with a preview, compare versions, build an amendment
release, preview it as practitioners will see it and schedule it. axe checks every page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MANAGER = "manager@northdale.example"
BOARD = "board@northdale.example"


def test_editor_writes_a_version_and_schedules_a_release(signed_in, screenshot):
    tab = signed_in(MANAGER)
    page = tab.page
    tab.goto("/workspace/")
    tab.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Procedures", exact=True))
    tab.follow("Multi-agency Child Protection Procedures")
    expect(page.get_by_test_id("release-list")).to_contain_text("Scheduled")
    screenshot(tab, "procedures-workspace-manual")

    tab.follow("Section 47 Enquiries")
    tab.follow("Write a new version")
    text = page.get_by_label("Chapter text")
    text.fill(
        text.input_value()
        + "\n\n## Joint visits\n\nPlan joint visits with the police.\n\n[[practice-point: toxic-trio]]\n"
    )
    page.get_by_label("What changed").fill("New section on joint visits")
    tab.submit("Preview")
    expect(page.get_by_test_id("chapter-preview")).to_contain_text("Practice point: The toxic trio")
    screenshot(tab, "procedures-version-preview")
    tab.submit("Save draft version")
    expect(page.get_by_test_id("message")).to_contain_text("Draft version saved")

    tab.submit("Show differences")
    expect(page.get_by_test_id("diff")).to_contain_text("Plan joint visits with the police.")
    expect(page.get_by_test_id("diff-summary")).to_contain_text("added")

    tab.follow(
        page.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name="Multi-agency Child Protection Procedures"
        )
    )
    tab.follow("New amendment release")
    page.get_by_label("Name").fill("Spring 2027")
    page.get_by_label("Go-live date").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
    tab.submit("Save")
    tab.follow("Add a chapter change")
    page.get_by_label("Chapter", exact=True).select_option(label="Section 47 Enquiries")
    page.get_by_label("Updated chapter").check()
    page.get_by_label("What changed").fill("New section on planning joint visits with the police.")
    tab.submit("Add to release")
    expect(page.get_by_test_id("release-changes")).to_contain_text("Section 47 Enquiries")

    tab.follow("Preview the release")
    expect(page.get_by_test_id("preview-change")).to_contain_text("New section on planning joint visits")
    tab.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Spring 2027"))
    tab.follow("Schedule to go live")
    tab.submit("Schedule the release")
    expect(page.get_by_test_id("release-summary")).to_contain_text("Scheduled")


def test_a_board_member_reviews_the_scheduled_release_but_cannot_change_it(signed_in):
    tab = signed_in(BOARD)
    page = tab.page
    tab.goto("/workspace/procedures/")
    tab.follow("Multi-agency Child Protection Procedures")
    expect(page.get_by_role("link", name="New amendment release")).to_have_count(0)
    scheduled = page.get_by_test_id("release-list").get_by_role("row").filter(has_text="Scheduled")
    tab.follow(scheduled.get_by_role("link").first)
    tab.follow("Preview the release")
    expect(page.get_by_text("Practitioners cannot see this yet")).to_be_visible()
