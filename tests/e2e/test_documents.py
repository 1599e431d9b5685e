"""The documents library: a business manager uploads a document in the workspace, and a practitioner
finds it on the public site and downloads it (axe on every page)."""

import pytest
from playwright.sync_api import expect

from safeguard.documents.generate import minimal_pdf

pytestmark = pytest.mark.e2e

MANAGER = "manager@northdale.example"
TITLE = "Allegations against staff: quick guide"


def test_manager_uploads_a_document_and_a_practitioner_downloads_it(signed_in, page, tmp_path):
    tab = signed_in(MANAGER)
    tab.goto("/workspace/documents/")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Documents library")
    tab.follow(tab.page.get_by_test_id("add-document"))
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Add a document")

    form = tab.page.get_by_test_id("edit-form")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Summary").fill("What to do when a member of staff may have harmed a child.")
    form.get_by_label("Category").select_option("guidance")

    # A program dressed up as a PDF is refused, and what was typed is kept.
    fake = tmp_path / "quick-guide.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    form.get_by_label("File").set_input_files(str(fake))
    form.get_by_label("Owner").select_option(index=1)
    form.get_by_label("Review date").fill("2027-03-31")
    form.get_by_label("Public", exact=False).first.check()
    tab.submit("Add document")
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("program")
    expect(tab.page.get_by_label("Title")).to_have_value(TITLE)

    real = tmp_path / "quick-guide-real.pdf"
    real.write_bytes(minimal_pdf("Allegations against staff"))
    tab.page.get_by_label("File").set_input_files(str(real))
    tab.submit("Add document")
    expect(tab.page.get_by_test_id("document-title")).to_have_text(TITLE)
    expect(tab.page.get_by_test_id("versions")).to_contain_text("First version")

    page.goto("/northdale/documents/")
    expect(page.page.get_by_role("heading", level=1)).to_have_text("Documents")
    page.follow(page.page.get_by_role("link", name=TITLE, exact=True))
    expect(page.page.get_by_test_id("document-title")).to_have_text(TITLE)
    with page.page.expect_download() as download_info:
        page.page.get_by_test_id("public-download").click()
    download = download_info.value
    assert download.suggested_filename == "allegations-against-staff-quick-guide.pdf"
    assert (tmp_path / "got.pdf").exists() is False
    download.save_as(tmp_path / "got.pdf")
    assert (tmp_path / "got.pdf").read_bytes() == real.read_bytes()
