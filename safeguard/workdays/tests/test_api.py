"""The calendar API: the same answers as the Python API; odd input is a 422 with a message, never a 500."""

import datetime as dt

import pytest

from safeguard.api.services import api_token_create
from safeguard.workdays.testing import ClosureDayFactory

V1 = "/api/v1/calendar"
D = dt.date


@pytest.fixture
def api(client, cast):
    _, secret = api_token_create(user=cast.board_member, name="Test")
    headers = {"Authorization": f"Bearer {secret}"}
    return lambda path, **params: client.get(V1 + path, params, headers=headers)


def _fields(response):
    assert response.status_code == 422, response.content
    return {error["field"]: error["message"] for error in response.json()["detail"]}


def test_it_counts_working_days(api, cast):
    ClosureDayFactory(partnership=cast.partnership, date=D(2024, 12, 24))
    body = api("/working-days", start="2024-12-20", end="2025-01-15").json()
    assert body == {"start": "2024-12-20", "end": "2025-01-15", "partnership_id": None, "working_days": 15}
    body = api("/working-days", start="2024-12-20", end="2025-01-15", partnership=cast.partnership.pk).json()
    assert body["working_days"] == 14


def test_it_adds_working_days(api, cast):
    assert api("/add", start="2024-12-20", days=15).json()["date"] == "2025-01-15"
    assert api("/add", start="2025-01-04", days=0).json()["date"] == "2025-01-04"


def test_it_describes_a_day(api, cast):
    ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, 2), reason="Council closed")
    body = api("/days/2025-01-02", partnership=cast.partnership.pk).json()
    assert body == {
        "date": "2025-01-02",
        "partnership_id": cast.partnership.pk,
        "is_working": False,
        "holiday_name": "",
        "closure_reason": "Council closed",
    }
    assert api("/days/2023-05-08").json()["holiday_name"] == "Coronation of Charles III"


def test_it_lists_only_the_users_closures(api, cast):
    mine = ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, 2))
    ClosureDayFactory(partnership=cast.other_partnership, date=D(2025, 1, 3))
    body = api("/closures").json()
    assert [item["id"] for item in body["items"]] == [mine.pk]
    assert api("/closures", year=2024).json()["count"] == 0


@pytest.mark.parametrize(
    ("path", "params", "field", "message"),
    [
        ("/working-days", {"start": "1999-12-31", "end": "2025-01-01"}, "start", "outside the working-day calendar"),
        ("/working-days", {"start": "2025-01-01", "end": "9999-12-31"}, "end", "outside the working-day calendar"),
        ("/add", {"start": "2040-12-20", "days": 30}, "days", "after Monday 31 December 2040"),
        ("/add", {"start": "2024-12-20", "days": -1}, "days", "greater than or equal to 0"),
        ("/add", {"start": "2024-12-20", "days": 10**12}, "days", "less than or equal to 10000"),
        ("/add", {"start": "2024-02-30", "days": 1}, "start", "date"),
        ("/add", {"start": "0000-01-01", "days": 1}, "start", "date"),
        ("/days/2041-01-01", {}, "date", "outside the working-day calendar"),
    ],
)
def test_odd_input_is_a_422_with_a_message(api, cast, path, params, field, message):
    fields = _fields(api(path, **params))
    assert message in fields[field]


def test_a_partnership_the_user_cannot_see_is_refused(api, cast):
    fields = _fields(api("/working-days", start="2024-12-20", end="2025-01-15", partnership=cast.other_partnership.pk))
    assert "no partnership with id" in fields["partnership"]


def test_it_needs_a_token(client, cast):
    assert client.get(V1 + "/add", {"start": "2024-12-20", "days": 1}).status_code == 401
