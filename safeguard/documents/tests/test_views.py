"""Workspace pages: the library, a document, forms that keep what was typed, downloads with safe
headers and the access log, and query counts that do not grow with the number of documents."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.models import AccessLog
from safeguard.documents import generate
from safeguard.documents.choices import Visibility
from safeguard.documents.models import Document
from safeguard.documents.testing import add_version, make_document, owner_for, upload

LIST = reverse("documents:document_list")
CREATE = reverse("documents:document_create")


def _form(cast, **overrides):
    owner = owner_for(cast.partnership)
    data = {
        "partnership": cast.partnership.pk,
        "title": "Escalation policy",
        "summary": "How to resolve disagreements.",
        "category": "policy",
        "owner": owner.pk,
        "review_date": "2027-03-31",
        "visibility": "public",
        "change_note": "First version",
        "file": upload(),
    }
    return {**data, **overrides}


def test_a_manager_adds_a_document_with_a_multipart_form(client, cast):
    client.force_login(cast.manager)
    page = client.get(CREATE)
    assert b'enctype="multipart/form-data"' in page.content
    response = client.post(CREATE, _form(cast))
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert document.current_version.number == 1


def test_a_refused_file_keeps_what_was_typed_and_says_what_is_wrong(client, cast):
    client.force_login(cast.manager)
    zipped = generate.docx_bytes("x", [])
    renamed_zip = zipped.replace(b"word/document.xml", b"word/documenx.xml")
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a document")
    response = client.post(CREATE, _form(cast, title="My careful title", file=upload(buffer.getvalue(), "policy.pdf")))
    assert response.status_code == 200
    content = response.content.decode()
    assert "This file is a ZIP archive but not a Word, Excel or OpenDocument file." in content
    assert "Upload a PDF, Word (.docx)" in content
    assert 'value="My careful title"' in content
    assert "How to resolve disagreements." in content
    assert not Document.objects.exists()
    assert renamed_zip  # the helper stays a real zip


def test_other_errors_remind_the_user_to_choose_the_file_again(client, cast):
    client.force_login(cast.manager)
    response = client.post(CREATE, _form(cast, title=""))
    content = response.content.decode()
    assert "Choose the file again" in content
    assert "How to resolve disagreements." in content


def test_an_oversize_file_is_refused_with_both_sizes(client, cast, settings):
    settings.SAFEGUARD_DOCUMENT_MAX_BYTES = 1024
    client.force_login(cast.manager)
    response = client.post(CREATE, _form(cast, file=upload(generate.minimal_pdf() + b"%" * 2048)))
    assert "the limit is 1 KB" in response.content.decode()
    assert not Document.objects.exists()


def test_read_only_staff_cannot_open_the_create_form(client, cast):
    client.force_login(cast.read_only)
    assert client.get(CREATE).status_code == 403


def test_upload_a_new_version(client, cast):
    document = make_document(cast.partnership)
    client.force_login(cast.officer)
    url = reverse("documents:version_upload", args=[document.pk])
    response = client.post(
        url, {"file": upload(generate.png_bytes(), "chart.png", "image/png"), "change_note": "Added a chart"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.content_type == "image/png"


def test_a_refused_new_version_keeps_the_note(client, cast):
    document = make_document(cast.partnership)
    client.force_login(cast.manager)
    url = reverse("documents:version_upload", args=[document.pk])
    response = client.post(url, {"file": upload(b"MZ" + b"\x00" * 100), "change_note": "My careful note"})
    assert response.status_code == 200
    assert "My careful note" in response.content.decode()
    assert document.versions.count() == 1


def test_edit_details_keeps_input_on_error(client, cast):
    document = make_document(cast.partnership)
    client.force_login(cast.manager)
    url = reverse("documents:document_edit", args=[document.pk])
    data = {
        "version": document.version,
        "title": "New title",
        "summary": "Typed summary",
        "category": "toolkit",
        "owner": document.owner_id,
        "review_date": "not a date",
        "visibility": "workspace",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter a real date" in response.content.decode()
    assert "Typed summary" in response.content.decode()
    response = client.post(url, {**data, "review_date": "2027-01-31"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.visibility, document.review_date) == (
        "New title",
        "workspace",
        dt.date(2027, 1, 31),
    )


def test_archive_then_restore(client, cast):
    document = make_document(cast.partnership)
    client.force_login(cast.manager)
    url = reverse("documents:document_status", args=[document.pk])
    assert "Archive" in client.get(url).content.decode()
    client.post(url, {"version": document.version})
    document.refresh_from_db()
    assert document.is_archived
    client.post(url, {"version": document.version})
    document.refresh_from_db()
    assert not document.is_archived


def test_the_detail_page_shows_the_version_history(client, cast):
    document = make_document(cast.partnership, change_note="First version")
    add_version(document, note="Added timescales")
    client.force_login(cast.read_only)
    response = client.get(document.get_absolute_url())
    content = response.content.decode()
    assert "Added timescales" in content
    assert content.count('data-testid="version-row"') == 2
    assert "Upload a new version" not in content  # read-only staff see, but do not change


def test_filters(client, cast):
    today = timezone.localdate()
    overdue = make_document(cast.partnership, title="Overdue thing", review_date=today - dt.timedelta(days=1))
    due = make_document(cast.partnership, title="Due thing", review_date=today + dt.timedelta(days=10))
    later = make_document(
        cast.partnership, title="Later thing", review_date=today + dt.timedelta(days=100), visibility="workspace"
    )
    client.force_login(cast.manager)

    def titles(query):
        return {d.title for d in client.get(LIST, query).context["object_list"]}

    assert titles({"review": "overdue"}) == {overdue.title}
    assert titles({"review": "due"}) == {due.title}
    assert titles({"review": "later"}) == {later.title}
    assert titles({"visibility": "workspace"}) == {later.title}
    assert titles({"q": "due thing"}) == {due.title, overdue.title}
    assert titles({"status": "archived"}) == set()
    assert titles({"sort": "-review"}) == {overdue.title, due.title, later.title}


def test_the_library_never_shows_another_partnerships_documents(client, cast):
    make_document(cast.other_partnership, title="Southvale secret")
    client.force_login(cast.manager)
    assert "Southvale secret" not in client.get(LIST).content.decode()


@pytest.mark.parametrize("sort", ["title", "-review", "updated", "category"])
def test_the_list_runs_a_constant_number_of_queries(client, cast, sort):
    make_document(cast.partnership)
    client.force_login(cast.manager)
    client.get(LIST)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, {"sort": sort}).status_code == 200
    for _ in range(6):
        add_version(make_document(cast.partnership, owner=owner_for(cast.partnership)))
    with CaptureQueriesContext(connection) as many:
        client.get(LIST, {"sort": sort})
    assert len(many) == len(few)


def test_the_detail_page_runs_a_constant_number_of_queries(client, cast):
    document = make_document(cast.partnership)
    client.force_login(cast.manager)
    client.get(document.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(document.get_absolute_url())
    for _ in range(4):
        add_version(document)
    with CaptureQueriesContext(connection) as many:
        client.get(document.get_absolute_url())
    assert len(many) == len(few)


# --- Downloads --------------------------------------------------------------------------------
def test_a_workspace_download_has_safe_headers_and_is_logged(client, cast):
    document = make_document(cast.partnership, title="Escalation policy", visibility=Visibility.WORKSPACE)
    client.force_login(cast.read_only)
    response = client.get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="escalation-policy.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == generate.minimal_pdf()
    log = AccessLog.objects.get(action="download")
    assert log.user == cast.read_only
    assert log.object_pk == str(document.current_version.pk)
    assert log.partnership_id == cast.partnership.pk


def test_staff_download_an_older_version_by_its_own_name(client, cast):
    document = make_document(cast.partnership, title="Escalation policy")
    first = document.current_version
    add_version(document, content=generate.docx_bytes("v2", []))
    client.force_login(cast.manager)
    old = client.get(reverse("documents:version_download", args=[first.pk]))
    assert old["Content-Disposition"] == 'attachment; filename="escalation-policy-version-1.pdf"'
    latest = client.get(reverse("documents:document_download", args=[document.pk]))
    assert latest["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert latest["Content-Disposition"] == 'attachment; filename="escalation-policy.docx"'
    assert AccessLog.objects.filter(action="download").count() == 2


def test_another_partnership_gets_404_for_every_download(client, cast):
    document = make_document(cast.partnership, visibility=Visibility.WORKSPACE)
    client.force_login(cast.other_manager)
    assert client.get(reverse("documents:document_download", args=[document.pk])).status_code == 404
    assert client.get(reverse("documents:version_download", args=[document.current_version_id])).status_code == 404
    assert not AccessLog.objects.filter(action="download").exists()


def test_a_missing_file_is_a_404_not_a_crash(client, cast):
    document = make_document(cast.partnership)
    document.current_version.file.storage.delete(document.current_version.file.name)
    client.force_login(cast.manager)
    assert client.get(reverse("documents:document_download", args=[document.pk])).status_code == 404
