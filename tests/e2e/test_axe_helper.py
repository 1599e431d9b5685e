"""The accessibility check itself: it must fail a page with a violation, saying what and where."""

import pytest

from .axe import AccessibilityError, AxePage

pytestmark = pytest.mark.e2e

BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/static/favicon.svg" id="no-alt">
<label>Unlabelled input</label><input type="text" id="orphan"></main></body></html>"""


def test_axe_reports_each_violation_with_its_rule_impact_and_selector(page):
    page.page.route("**/axe-self-test/", lambda route: route.fulfill(body=BROKEN_PAGE, content_type="text/html"))
    with pytest.raises(AccessibilityError) as failure:
        page.goto("/axe-self-test/")
    message = str(failure.value)
    assert "/axe-self-test/" in message
    assert "- image-alt (critical): Images must have alternative text" in message
    assert "at #no-alt" in message
    assert "- label (critical)" in message
    assert "at #orphan" in message


def test_a_page_loaded_behind_the_helpers_back_fails_the_test(browser, app, axe_source):
    context = browser.new_context(base_url=app.url)
    try:
        tab = AxePage(context.new_page(), axe_source=axe_source, browser=browser, base_url=app.url)
        tab.page.goto("/cookies/")  # straight through Playwright: no check
        tab.page.goto("/privacy/")
        with pytest.raises(AssertionError, match=r"never checked by axe.*/cookies/"):
            tab.assert_every_page_audited()
        assert tab.audited_urls == [f"{app.url}/privacy/"]  # the page still open was checked at the end
    finally:
        context.close()
