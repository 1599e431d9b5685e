"""The extracts API: the same scope as the web (another partnership's extract is a 404), LAchildIDs
and messages only for analysts, every child-level read in the access log."""

import pytest

from safeguard.api.services import api_token_create
from safeguard.audit.models import AccessLog
from safeguard.extracts.choices import ExtractStatus, Severity
from safeguard.extracts.testing import ExtractFactory, FindingFactory


def _headers(user):
    _, secret = api_token_create(user=user, name="Test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def rejected(cast):
    extract = ExtractFactory(
        partnership=cast.partnership,
        status=ExtractStatus.REJECTED,
        error_count=2,
        query_count=1,
        finding_counts={"8840": 2, "8670Q": 1},
        source={"software_code": "Test system"},
    )
    FindingFactory(extract=extract, code="8840", la_child_id="NDC000301", line=40)
    FindingFactory(extract=extract, code="8840", la_child_id="NDC000302", line=80)
    FindingFactory(extract=extract, code="8670Q", severity=Severity.QUERY, la_child_id="NDC000303", line=120)
    return extract


def test_the_list_filters_and_paginates(client, cast, rejected):
    current = ExtractFactory(partnership=cast.partnership, current=True, collection_year=2024)
    ExtractFactory(partnership=cast.other_partnership, original_filename="southvale.xml")
    headers = _headers(cast.manager)
    body = client.get("/api/v1/extracts", {"limit": 1}, **headers).json()
    assert body["count"] == 2 and len(body["items"]) == 1

    def ids(**query):
        return [e["id"] for e in client.get("/api/v1/extracts", query, **headers).json()["items"]]

    assert ids(status="rejected") == [rejected.pk]
    assert ids(year=2024) == [current.pk]
    assert ids(current="true") == [current.pk]
    assert ids(kind="annex_a") == []
    assert ids(partnership=cast.other_partnership.pk) == []
    assert client.get("/api/v1/extracts", {"status": "nonsense"}, **headers).status_code == 422


def test_the_detail_has_the_header_timings_and_counts_by_rule(client, cast, rejected):
    body = client.get(f"/api/v1/extracts/{rejected.pk}", **_headers(cast.data_lead)).json()
    assert (body["status"], body["errors"], body["queries"], body["local_authority_code"]) == ("rejected", 2, 1, "931")
    assert body["source"] == {"software_code": "Test system"}
    assert set(body["timings"]) == {"parse", "validate", "load", "total"}
    assert [(r["code"], r["severity"], r["count"], r["stored"]) for r in body["findings_by_rule"]] == [
        ("8840", "error", 2, 2),
        ("8670Q", "query", 1, 1),
    ]


def test_findings_name_children_only_for_analysts_and_are_audited(client, cast, rejected):
    url = f"/api/v1/extracts/{rejected.pk}/findings"
    analyst = client.get(url, {"code": "8840"}, **_headers(cast.analyst)).json()
    assert analyst["count"] == 2
    assert [f["la_child_id"] for f in analyst["items"]] == ["NDC000301", "NDC000302"]
    assert analyst["items"][0]["message"]
    log = AccessLog.objects.get()
    assert (log.user, log.object_pk, log.action) == (cast.analyst, str(rejected.pk), "view")

    manager = client.get(url, {"severity": "query"}, **_headers(cast.manager)).json()
    assert manager["count"] == 1
    item = manager["items"][0]
    assert (item["code"], item["la_child_id"], item["message"], item["line"]) == ("8670Q", None, None, 120)
    assert item["fix"]
    assert AccessLog.objects.count() == 1


def test_another_partnerships_extract_is_404(client, cast, rejected):
    headers = _headers(cast.other_analyst)
    assert client.get(f"/api/v1/extracts/{rejected.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/extracts/{rejected.pk}/findings", **headers).status_code == 404
    assert client.get("/api/v1/extracts/999999", **headers).status_code == 404
    assert client.get("/api/v1/extracts", **headers).json()["count"] == 0


def test_without_a_token_it_is_401(client, rejected):
    assert client.get("/api/v1/extracts").status_code == 401
    assert client.get(f"/api/v1/extracts/{rejected.pk}/findings").status_code == 401
