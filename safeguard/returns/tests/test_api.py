"""The data set and returns API: the same scope as the pages (a data lead sees only their agency's
returns), the same checks on figures (errors as JSON with the path of each field), versions."""

import pytest

from safeguard.api.models import TokenScope
from safeguard.api.services import api_token_create
from safeguard.returns.choices import ReturnStatus
from safeguard.returns.models import ReturnSubmission, ReturnValue
from safeguard.returns.testing import AgencyReturnFactory, DataSetFigureFactory, ManualIndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(cast):
    made = []

    def make(user, scope=TokenScope.WRITE):
        made.append(user)
        _, secret = api_token_create(user=user, name=f"Test {len(made)}", scope=scope)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


def put(client, path, body, headers):
    return client.put(path, body, content_type="application/json", **headers)


def test_indicators_are_listed_and_read_within_the_partnership(client, cast, add_indicator, bearer):
    indicator = add_indicator(code="cse", title="CSE referrals")
    ManualIndicatorFactory(partnership=cast.other_partnership, code="elsewhere")
    headers = bearer(cast.board_member, TokenScope.READ)
    body = client.get("/api/v1/data-set/indicators/", **headers).json()
    assert [i["code"] for i in body["items"]] == ["cse"]
    assert body["items"][0]["agency_name"] == "Northdale Constabulary"
    assert body["items"][0]["definition_url"] == f"/workspace/returns/indicators/{indicator.pk}/"
    assert client.get("/api/v1/data-set/indicators/", {"source": "computed"}, **headers).json()["count"] == 0
    assert (
        client.get(f"/api/v1/data-set/indicators/{indicator.pk}", **headers).json()["theme"]["name"] == "Exploitation"
    )
    other = bearer(cast.other_manager, TokenScope.READ)
    assert client.get(f"/api/v1/data-set/indicators/{indicator.pk}", **other).status_code == 404


def test_a_data_lead_lists_and_reads_only_their_agencys_returns(client, cast, agency_return, other_agency, bearer):
    elsewhere = AgencyReturnFactory(partnership=cast.partnership, agency=other_agency, period=agency_return.period)
    lead = bearer(cast.data_lead)
    body = client.get("/api/v1/returns/", **lead).json()
    assert [r["id"] for r in body["items"]] == [agency_return.pk]
    assert body["items"][0]["state"] == "not_started" and body["items"][0]["period"]["label"] == "2025-26 Q2"
    assert client.get(f"/api/v1/returns/{elsewhere.pk}", **lead).status_code == 404
    assert client.get(f"/api/v1/returns/{elsewhere.pk}/values", **lead).status_code == 404
    assert put(client, f"/api/v1/returns/{elsewhere.pk}/values", {"version": 1, "values": []}, lead).status_code == 404
    manager = bearer(cast.manager)
    assert client.get("/api/v1/returns/", **manager).json()["count"] == 2
    assert client.get("/api/v1/returns/", {"agency": other_agency.pk}, **manager).json()["count"] == 1
    assert client.get("/api/v1/returns/", **bearer(cast.other_manager)).json()["count"] == 0
    assert client.get(f"/api/v1/returns/{agency_return.pk}", **bearer(cast.board_member)).status_code == 404


def test_a_returns_values_list_its_rows_with_the_last_submitted_figure(
    client, cast, add_indicator, agency_return, previous_quarter, bearer
):
    indicator = add_indicator(code="cse", position=1)
    add_indicator(percent=True, code="iha", position=2)
    DataSetFigureFactory(partnership=cast.partnership, indicator=indicator, period=previous_quarter, value=44)
    body = client.get(f"/api/v1/returns/{agency_return.pk}/values", **bearer(cast.data_lead)).json()
    assert body["version"] == 1 and body["status"] == "not_started"
    assert [(v["indicator"], v["unit"], v["previous"], v["previous_period"]) for v in body["values"]] == [
        ("cse", "count", 44.0, "2025-26 Q1"),
        ("iha", "percent", None, None),
    ]


def test_put_values_saves_a_draft_and_submit_submits(client, cast, add_indicator, agency_return, bearer):
    add_indicator(code="cse", position=1)
    add_indicator(percent=True, code="iha", position=2)
    lead = bearer(cast.data_lead)
    path = f"/api/v1/returns/{agency_return.pk}"
    response = put(client, f"{path}/values", {"version": 1, "values": [{"indicator": "cse", "value": 12}]}, lead)
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress" and response.json()["version"] == 2
    assert response.json()["values"][0]["value"] == 12
    body = {"version": 2, "values": [{"indicator": "iha", "value": 45, "denominator": 50}]}
    response = client.post(f"{path}/submit", body, content_type="application/json", **lead)
    assert response.status_code == 200
    assert response.json()["status"] == ReturnStatus.SUBMITTED and response.json()["state"] == "submitted"
    assert ReturnSubmission.objects.get().via == "api"
    assert put(client, f"{path}/values", {"version": 3, "values": []}, lead).status_code == 422


def test_refused_figures_come_back_with_the_path_of_each_field(client, cast, add_indicator, agency_return, bearer):
    add_indicator(code="cse", position=1)
    add_indicator(percent=True, code="iha", position=2)
    lead = bearer(cast.data_lead)
    body = {
        "version": 1,
        "values": [
            {"indicator": "iha", "value": 51, "denominator": 50},
            {"indicator": "cse", "value": -4},
            {"indicator": "nope", "value": 1},
        ],
    }
    response = put(client, f"/api/v1/returns/{agency_return.pk}/values", body, lead)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "values[2].indicator",
            "message": "This return has no row for indicator 'nope'. GET the return's values to see its rows.",
        }
    ]
    body["values"].pop()
    response = put(client, f"/api/v1/returns/{agency_return.pk}/values", body, lead)
    assert [(e["field"], e["message"][:33]) for e in response.json()["detail"]] == [
        ("values[0].value", "The numerator (Initial health ass"),
        ("values[1].value", "Enter a whole number of 0 or more"),
    ]
    response = client.post(
        f"/api/v1/returns/{agency_return.pk}/submit",
        {"version": 1, "values": [{"indicator": "cse", "not_available": True}]},
        content_type="application/json",
        **lead,
    )
    assert response.json()["detail"] == [
        {
            "field": "values[0].not_available_reason",
            "message": "Say why the figure is not available, for example 'the new case system cannot report it yet'",
        },
        {"field": "iha.value", "message": "Enter the figure, or tick 'Not available' and say why"},
    ]
    assert not ReturnValue.objects.exists()


def test_a_stale_version_is_a_conflict_and_a_read_token_cannot_write(
    client, cast, add_indicator, agency_return, bearer
):
    add_indicator(code="cse")
    lead = bearer(cast.data_lead)
    path = f"/api/v1/returns/{agency_return.pk}/values"
    assert put(client, path, {"version": 1, "values": [{"indicator": "cse", "value": 1}]}, lead).status_code == 200
    response = put(client, path, {"version": 1, "values": [{"indicator": "cse", "value": 2}]}, lead)
    assert response.status_code == 409 and response.json()["current_version"] == 2
    reader = bearer(cast.data_lead, TokenScope.READ)
    assert put(client, path, {"version": 2, "values": []}, reader).status_code == 401
