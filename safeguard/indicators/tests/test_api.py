"""The indicators API: the registry, and values scoped like the web (another partnership's values
are never returned)."""

from __future__ import annotations

import pytest

from safeguard.api.services import api_token_create
from safeguard.indicators.testing import IndicatorValueFactory, LocalityFactory


@pytest.fixture
def headers(cast):
    """The analyst's token: exact values are for the analyst role."""
    _, secret = api_token_create(user=cast.analyst, name="Test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_registry_lists_every_indicator_with_its_definition(client, cast, headers):
    body = client.get("/api/v1/indicators", **headers).json()
    assert len(body) == 21
    icpc = next(i for i in body if i["code"] == "icpc_within_15_wd")
    assert icpc["unit"] == "percent" and icpc["polarity"] == "higher_better"
    assert icpc["section"] == "Section 47 enquiries and conferences"
    assert "15th working day" in icpc["definition"]


def test_values_are_filtered_and_scoped_to_the_partnership(client, cast, headers):
    north = LocalityFactory(partnership=cast.partnership, name="North")
    IndicatorValueFactory(partnership=cast.partnership, code="referrals", numerator=12, value=12)
    IndicatorValueFactory(partnership=cast.partnership, code="referrals", locality=north, numerator=5, value=5)
    IndicatorValueFactory(partnership=cast.partnership, code="icpcs", collection_year=2024)
    theirs = IndicatorValueFactory(partnership=cast.other_partnership, code="referrals")

    def get(**query):
        response = client.get("/api/v1/indicators/values", query, **headers)
        assert response.status_code == 200
        return response.json()

    body = get()
    assert body["count"] == 3
    first = body["items"][0]
    assert (first["code"], first["period"], first["locality_id"]) == ("icpcs", "2023-24", None)
    assert [i["locality_name"] for i in get(year=2025, code="referrals")["items"]] == [None, "North"]
    assert [i["value"] for i in get(locality=north.pk)["items"]] == [5.0]
    assert get(partnership=cast.other_partnership.pk)["count"] == 0
    assert theirs.pk not in [i["id"] for i in body["items"]]
    assert client.get("/api/v1/indicators/values", {"year": "soon"}, **headers).status_code == 422


def test_without_a_token_it_is_401(client, cast):
    assert client.get("/api/v1/indicators/values").status_code == 401
    assert client.get("/api/v1/indicators").status_code == 401


def test_the_other_partnerships_user_sees_only_their_own(client, cast):
    IndicatorValueFactory(partnership=cast.partnership, code="referrals")
    mine = IndicatorValueFactory(partnership=cast.other_partnership, code="referrals")
    _, secret = api_token_create(user=cast.other_analyst, name="Test")
    body = client.get("/api/v1/indicators/values", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert [i["id"] for i in body["items"]] == [mine.pk]


def test_exact_values_are_for_the_analyst_role_only(client, cast):
    IndicatorValueFactory(partnership=cast.partnership, code="referrals", numerator=3, value=3)
    for user in (cast.manager, cast.board_member, cast.data_lead):
        _, secret = api_token_create(user=user, name="Test")
        body = client.get("/api/v1/indicators/values", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
        assert body["count"] == 0
