"""The documents API: the same scope as the web (another partnership's document is a 404)."""

import datetime as dt

import pytest
from django.utils import timezone

from safeguard.api.services import api_token_create
from safeguard.audit.models import AccessLog
from safeguard.documents import generate
from safeguard.documents.choices import Visibility
from safeguard.documents.testing import add_version, make_document


@pytest.fixture
def headers(cast):
    _, secret = api_token_create(user=cast.manager, name="Test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_list_filters_and_paginates(client, cast, headers):
    today = timezone.localdate()
    make_document(cast.partnership, title="Alpha", review_date=today - dt.timedelta(days=3))
    make_document(cast.partnership, title="Beta", visibility=Visibility.WORKSPACE)
    make_document(cast.partnership, title="Gamma", category="toolkit")
    make_document(cast.other_partnership, title="Southvale")
    body = client.get("/api/v1/documents/", {"limit": 2}, **headers).json()
    assert body["count"] == 3
    assert [d["title"] for d in body["items"]] == ["Alpha", "Beta"]
    assert body["items"][0]["current_version"]["content_type"] == "application/pdf"

    def titles(**query):
        return [d["title"] for d in client.get("/api/v1/documents/", query, **headers).json()["items"]]

    assert titles(review="overdue") == ["Alpha"]
    assert titles(visibility="workspace") == ["Beta"]
    assert titles(category="toolkit") == ["Gamma"]
    assert titles(q="gam") == ["Gamma"]
    assert titles(partnership=cast.other_partnership.pk) == []
    assert client.get("/api/v1/documents/", {"category": "nonsense"}, **headers).status_code == 422


def test_detail_lists_every_version_and_public_address(client, cast, headers):
    document = make_document(cast.partnership, title="Escalation policy")
    add_version(document, note="Added timescales")
    body = client.get(f"/api/v1/documents/{document.pk}", **headers).json()
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert body["versions"][0]["change_note"] == "Added timescales"
    assert body["current_version"]["number"] == 2
    assert body["public_url"] == f"/{cast.partnership.slug}/documents/escalation-policy/"


def test_download_a_version_is_logged(client, cast, headers):
    document = make_document(cast.partnership, title="Escalation policy")
    add_version(document, content=generate.jpeg_bytes())
    first = document.versions.get(number=1)
    detail = client.get(f"/api/v1/documents/{document.pk}", **headers).json()
    url = detail["versions"][1]["download_url"]
    response = client.get(url, **headers)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="escalation-policy-version-1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == generate.minimal_pdf()
    log = AccessLog.objects.get(action="download")
    assert (log.user, log.object_pk) == (cast.manager, str(first.pk))


def test_another_partnerships_document_is_404(client, cast, headers):
    document = make_document(cast.other_partnership)
    assert client.get(f"/api/v1/documents/{document.pk}", **headers).status_code == 404
    download = f"/api/v1/documents/versions/{document.current_version_id}/download"
    assert client.get(download, **headers).status_code == 404
    assert client.get("/api/v1/documents/versions/999999/download", **headers).status_code == 404


def test_without_a_token_it_is_401(client, cast):
    document = make_document(cast.partnership)
    assert client.get(f"/api/v1/documents/versions/{document.current_version_id}/download").status_code == 401
