import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_business_manager_edits_an_agency_and_finds_the_change_in_the_audit_log(site):
    site.sign_in("manager@northdale.example")
    site.heading("Workspace")
    expect(site.page.get_by_test_id("demo-banner")).to_be_visible()
    site.sees("Business manager")

    site.click("Agencies")
    site.page.get_by_label("Sector").select_option("probation")
    site.submit("Apply filters")
    results = site.page.get_by_test_id("results")
    expect(results).to_contain_text("Northdale Youth Justice Service")
    expect(results).not_to_contain_text("Northdale Constabulary")
    site.screenshot("workspace-agencies")

    site.click("Northdale Youth Justice Service")
    site.click("Change agency")
    site.page.get_by_label("Name").fill("Northdale Youth Justice and Prevention Service")
    site.submit("Save")
    expect(site.page.get_by_test_id("message")).to_contain_text("Agency saved")
    site.heading("Northdale Youth Justice and Prevention Service")

    site.click("Audit log")
    expect(site.page.get_by_test_id("results")).to_contain_text("Northdale Youth Justice and Prevention Service")
    site.sign_out()
    site.heading("Safeguarding children partnerships")


def test_board_page_keeps_the_history_of_chairs(site):
    site.sign_in("board@northdale.example")
    site.click("Boards and sub-groups")
    site.click("Northdale Safeguarding Children Board")
    current = site.page.get_by_test_id("current-members")
    past = site.page.get_by_test_id("past-members")
    expect(current).to_contain_text("Chair")
    expect(past).to_contain_text("Chair")
    site.screenshot("board")


def test_read_only_user_sees_no_change_buttons_and_gets_403_on_an_edit_page(site):
    site.sign_in("readonly@northdale.example")
    site.click("Agencies")
    site.click("Northdale Constabulary")
    expect(site.page.get_by_role("link", name="Change agency")).to_have_count(0)
    edit_url = site.page.url.rstrip("/") + "/edit/"
    response = site.page.goto(edit_url)
    site.checked()
    assert response.status == 403
    site.heading("You do not have access to this page")


def test_a_user_of_another_partnership_gets_404(site):
    site.sign_in("manager@northdale.example")
    site.click("Agencies")
    site.click("Northdale Constabulary")
    agency_url = site.page.url
    site.sign_out()
    site.sign_in("manager@eastmoor-westbrook.example")
    response = site.page.goto(agency_url)
    site.checked()
    assert response.status == 404
    site.heading("Page not found")


def test_five_failed_sign_ins_lock_the_account(site):
    for _ in range(5):
        site.sign_in("training@eastmoor-westbrook.example", password="not-the-password")
    site.sign_in("training@eastmoor-westbrook.example")
    site.heading("You cannot sign in for 30 minutes")
    expect(site.page).to_have_title(re.compile("locked"))
