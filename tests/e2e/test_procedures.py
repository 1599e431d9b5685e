"""The public procedures manual: contents, a chapter, the amendments page (axe on each)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_practitioner_reads_a_chapter_and_the_amendments(page):
    page.goto("/eastmoor-westbrook/procedures/")
    main = page.page.locator("main")
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Multi-agency Child Protection Procedures")
    expect(main).to_contain_text("Next update due")
    expect(main).not_to_contain_text("Children in Custody")  # removed in the last release

    page.follow(page.page.get_by_role("link", name="Child Protection Conferences", exact=True))
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Child Protection Conferences")
    expect(page.page.get_by_test_id("chapter-body")).to_contain_text("minimum of 6 months")
    page.page.get_by_text("Previous versions of this chapter").click()
    page.follow(page.page.get_by_role("link", name="Version 1", exact=False))
    expect(page.page.get_by_test_id("archive-warning")).to_contain_text("archived version")

    page.goto("/eastmoor-westbrook/procedures/child-protection-procedures/amendments/")
    releases = page.page.get_by_test_id("release")
    expect(releases).to_have_count(2)  # the scheduled release is not public yet
    expect(releases.first).to_contain_text("Belief in Witchcraft or Spirit Possession")


def test_practitioner_searches_filters_includes_the_archive_and_opens_a_result(page, screenshot):
    tab, p = page, page.page
    tab.goto("/eastmoor-westbrook/procedures/")
    box = p.get_by_test_id("search-box")
    box.get_by_label("Search the procedures").fill("toxic trio")
    tab.submit(box.get_by_role("button", name="Search"))
    expect(p.get_by_role("heading", level=1)).to_have_text("Search the procedures")
    expect(p.get_by_label("Words to search for")).to_have_value("toxic trio")
    expect(p.get_by_test_id("result-count")).to_contain_text("for \u2018toxic trio\u2019")
    results = p.get_by_test_id("search-result")
    expect(results.get_by_role("link", name="Domestic Abuse", exact=True)).to_have_count(1)  # by the practice point
    expect(results.first.locator("mark").first).to_be_visible()
    screenshot(tab, "procedures-search")

    p.get_by_label("Words to search for").fill("designated safeguarding lead")
    p.get_by_label("Section").select_option(label="Specific circumstances")
    tab.submit(p.get_by_test_id("search-form").get_by_role("button", name="Search"))
    expect(p.get_by_test_id("result-count")).to_contain_text("in Specific circumstances")
    expect(results.first).to_be_visible()
    expect(results.filter(has_not_text="Specific circumstances")).to_have_count(0)

    p.get_by_label("Words to search for").fill("custody")
    p.get_by_label("Section").select_option(label="All sections")
    tab.submit(p.get_by_test_id("search-form").get_by_role("button", name="Search"))
    expect(p.get_by_test_id("no-results")).to_be_visible()  # removed in the last release
    tab.follow(p.get_by_test_id("no-results").get_by_role("link", name="include archived versions"))
    expect(p.get_by_label("Include archived versions")).to_be_checked()
    expect(p.get_by_test_id("archived-label").first).to_have_text("Archived version 1")
    tab.follow(results.filter(has_text="Children in Custody").get_by_role("link"))
    expect(p.get_by_test_id("archive-warning")).to_contain_text("has been removed from the procedures")

    tab.goto("/eastmoor-westbrook/procedures/child-protection-procedures/?q=strategy+discussions")
    tab.follow(results.first.get_by_role("link"))
    expect(p.get_by_role("heading", level=1)).to_have_text("Strategy Discussions")


def test_search_works_without_javascript(visitor):
    tab = visitor(javascript=False)
    tab.goto("/eastmoor-westbrook/procedures/child-protection-procedures/")
    tab.page.get_by_test_id("search-box").get_by_label("Search the procedures").fill("neglect")
    tab.submit(tab.page.get_by_test_id("search-box").get_by_role("button", name="Search"))
    expect(tab.page.get_by_test_id("search-result").first).to_contain_text("Neglect")


def test_practitioner_prints_a_chapter_and_downloads_its_pdf(page, screenshot):
    tab, p = page, page.page
    tab.goto("/eastmoor-westbrook/procedures/child-protection-procedures/domestic-abuse/")
    tab.follow("Print this chapter")
    expect(p.get_by_role("heading", level=1)).to_have_text("Domestic Abuse")
    expect(p.get_by_test_id("print-header")).to_contain_text("Multi-agency Child Protection Procedures")
    expect(p.get_by_test_id("print-footer")).to_contain_text("Printed on")
    expect(p.get_by_role("navigation", name="Menu")).to_have_count(0)
    screenshot(tab, "procedures-print")
    pdf_link = p.get_by_role("link", name="download it as a PDF")
    response = p.request.get(pdf_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
