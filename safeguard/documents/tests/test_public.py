"""The practitioner site: public current documents for anyone; nothing else, by any address."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard.audit.models import AccessLog
from safeguard.documents import generate, services
from safeguard.documents.choices import Category, Visibility
from safeguard.documents.files import human_size
from safeguard.documents.testing import add_version, make_document

PDF_SIZE = human_size(len(generate.minimal_pdf()))  # "547 bytes"


def _urls(document):
    slug = document.partnership.slug
    return {
        "detail": reverse("public_documents:detail", args=[slug, document.slug]),
        "download": reverse("public_documents:download", args=[slug, document.slug]),
    }


def test_the_library_groups_public_documents_by_category_with_type_and_size(client, cast):
    make_document(cast.partnership, title="Escalation policy", category=Category.POLICY)
    make_document(cast.partnership, title="CSE matrix", category=Category.TOOLKIT)
    make_document(cast.partnership, title="Staff-only guidance", visibility=Visibility.WORKSPACE)
    make_document(cast.other_partnership, title="Southvale policy")
    response = client.get(reverse("public_documents:library", args=[cast.partnership.slug]))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Policies") < content.index("Escalation policy") < content.index("Toolkits")
    assert f"PDF, {PDF_SIZE}, last updated" in content
    assert "Staff-only guidance" not in content
    assert "Southvale policy" not in content


def test_the_library_runs_a_constant_number_of_queries(client, cast):
    url = reverse("public_documents:library", args=[cast.partnership.slug])
    make_document(cast.partnership)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for category in Category.values:
        make_document(cast.partnership, category=category)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_anyone_downloads_a_public_document_with_safe_headers(client, cast):
    document = make_document(cast.partnership, title="Escalation policy")
    add_version(document, content=generate.xlsx_bytes("Sheet", [["a"]]))
    response = client.get(_urls(document)["download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="escalation-policy.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "public, max-age=300"
    assert not AccessLog.objects.exists()  # anonymous public downloads are not personal data


def test_the_detail_page_shows_the_file_and_what_changed(client, cast):
    document = make_document(cast.partnership, title="Escalation policy", change_note="First version")
    response = client.get(_urls(document)["detail"])
    content = response.content.decode()
    assert "Escalation policy" in content
    assert f"PDF, {PDF_SIZE}" in content
    assert 'data-testid="public-download"' in content


@pytest.mark.parametrize("which", ["detail", "download"])
def test_a_workspace_only_document_is_404_for_anonymous_visitors(client, cast, which):
    document = make_document(cast.partnership, visibility=Visibility.WORKSPACE)
    assert client.get(_urls(document)[which]).status_code == 404


def test_a_workspace_only_document_is_not_reachable_from_any_anonymous_url(client, cast):
    document = make_document(cast.partnership, visibility=Visibility.WORKSPACE)
    urls = [
        *_urls(document).values(),
        reverse("documents:document_detail", args=[document.pk]),
        reverse("documents:document_download", args=[document.pk]),
        reverse("documents:version_download", args=[document.current_version_id]),
        f"/api/v1/documents/versions/{document.current_version_id}/download",
        f"/api/v1/documents/{document.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 401, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
        assert not hasattr(response, "streaming_content"), url


def test_a_document_is_only_on_its_own_partnerships_site(client, cast):
    document = make_document(cast.partnership)
    other = reverse("public_documents:detail", args=[cast.other_partnership.slug, document.slug])
    assert client.get(other).status_code == 404


def test_an_archived_public_document_says_it_was_withdrawn_and_cannot_be_downloaded(client, cast):
    document = make_document(cast.partnership, title="Old policy")
    services.document_archive(document=document, by=None, expected_version=document.version)
    detail = client.get(_urls(document)["detail"])
    assert detail.status_code == 410
    assert "has been withdrawn" in detail.content.decode()
    assert client.get(_urls(document)["download"]).status_code == 404
    library = client.get(reverse("public_documents:library", args=[cast.partnership.slug]))
    assert "Old policy" not in library.content.decode()


def test_an_unknown_partnership_is_404(client, db):
    assert client.get("/no-such-partnership/documents/").status_code == 404
