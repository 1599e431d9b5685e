"""The public site: what a practitioner or member of the public sees without signing in."""

import re

import pytest
from playwright.sync_api import expect

from .pages import EASTMOOR, NORTHDALE, ContactsPage, NotFoundPage, PartnershipHome, PublicIndex

pytestmark = pytest.mark.e2e


def test_visitor_finds_a_partnership_and_its_business_unit_contacts(page, screenshot):
    index = PublicIndex.open(page)
    expect(index.partnerships).to_have_text([EASTMOOR, NORTHDALE])
    expect(index.demo_banner).to_be_visible()
    screenshot(page, "public-index")

    home = index.choose(NORTHDALE)
    expect(home.page).to_have_url(re.compile(r"/northdale/$"))
    expect(home.groups).to_contain_text("Northdale Safeguarding Children Board")
    expect(home.groups.locator("tbody tr")).to_have_count(6)  # the board and its five sub-groups
    expect(home.nav_link("Home")).to_have_attribute("aria-current", "page")
    screenshot(page, "public-home")

    contacts = home.contacts()
    expect(contacts.nav_link("Contact the business unit")).to_have_attribute("aria-current", "page")
    expect(contacts.contacts.get_by_role("heading")).to_have_text(
        ["Business unit", "Multi-agency training", "Procedures and practice guidance"]
    )
    expect(contacts.main.get_by_role("link", name="training@northdale.example")).to_have_attribute(
        "href", "mailto:training@northdale.example"
    )
    expect(contacts.page.get_by_role("link", name="Staff sign in")).to_be_visible()


def test_footer_leads_to_the_accessibility_cookies_and_privacy_pages(page):
    PublicIndex.open(page)
    footer = page.page.get_by_role("contentinfo")
    for link, heading in [
        ("Accessibility statement", "Accessibility statement"),
        ("Cookies", "Cookies"),
        ("Privacy notice", "Privacy notice"),
    ]:
        page.follow(footer.get_by_role("link", name=link, exact=True))
        expect(page.page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_an_unknown_address_shows_the_page_not_found_page(page):
    page.goto("/no-such-partnership/", expect_status=404)
    not_found = NotFoundPage(page)
    expect(not_found.main.get_by_role("link", name="Go to the home page")).to_have_attribute("href", "/")


def test_the_public_site_works_without_javascript(visitor):
    tab = visitor(javascript=False)
    index = PublicIndex.open(tab)
    expect(index.page.locator("body")).not_to_have_class("js-enabled")
    home = index.choose(NORTHDALE)
    expect(home.groups).to_contain_text("Northdale Safeguarding Children Board")
    # Without JavaScript the service navigation is a plain list of links, all visible (no "Menu" toggle).
    expect(home.nav_link("Contact the business unit")).to_be_visible()
    expect(home.page.get_by_role("button", name="Menu")).to_be_hidden()
    contacts = home.contacts()
    expect(contacts.contacts).to_have_count(3)
    PartnershipHome.open(tab, "eastmoor-westbrook", EASTMOOR).contacts()
    expect(ContactsPage(tab).contacts.first).to_contain_text("Business unit")
