import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_practitioner_finds_the_business_unit_without_signing_in(site):
    site.visit("/")
    site.heading("Safeguarding children partnerships")
    site.screenshot("public-index")
    site.click("Northdale Safeguarding Children Partnership")
    site.heading("Northdale Safeguarding Children Partnership")
    site.sees("Northdale Safeguarding Children Board")
    site.screenshot("public-home")
    site.click("Contact the business unit")
    site.heading("Contact the business unit")
    site.sees("Multi-agency training")


@pytest.mark.parametrize("path", ["/accessibility/", "/cookies/", "/privacy/", "/northdale/contact/"])
def test_footer_and_public_pages_are_accessible(site, path):
    site.visit(path)
    expect(site.page.locator("footer")).to_contain_text("Accessibility statement")


def test_unknown_page_shows_the_styled_404(site):
    response = site.page.goto("/no-such-partnership/")
    site.checked()
    assert response.status == 404
    site.heading("Page not found")


def test_pages_work_with_javascript_off(no_js_page):
    no_js_page.goto("/northdale/")
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Northdale Safeguarding Children Partnership")
    no_js_page.get_by_role("link", name="Contact the business unit").first.click()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Contact the business unit")
