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
