"""Personal access tokens: hashed at rest, scoped, expiring, revocable, and only for roles that may use the API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from safeguard.api.models import ApiToken, TokenScope
from safeguard.api.services import api_token_authenticate, api_token_create, api_token_revoke

API = "/api/v1/partnerships/"


def _auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_it_stores_only_a_hash_of_the_secret(cast):
    token, secret = api_token_create(user=cast.manager, name="Power BI refresh")
    assert secret.startswith(token.prefix)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert secret.rsplit("_", 1)[-1] not in stored
    assert token.key_hash != secret and len(token.key_hash) == 64


def test_a_live_token_reads_the_api_and_records_its_use(client, cast):
    token, secret = api_token_create(user=cast.manager, name="Reports")
    response = client.get(API, headers=_auth(secret))
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["items"]] == [cast.partnership.name]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer sg_nope_nope", "Basic dXNlcjpwYXNz"])
def test_it_refuses_a_missing_or_unknown_token(client, cast, header):
    headers = {"Authorization": header} if header else {}
    assert client.get(API, headers=headers).status_code == 401


def test_a_revoked_token_gets_401(client, cast):
    token, secret = api_token_create(user=cast.manager, name="Old")
    api_token_revoke(token=token, by=cast.manager)
    assert client.get(API, headers=_auth(secret)).status_code == 401
    assert api_token_authenticate(secret=secret) is None


def test_an_expired_token_gets_401(client, cast):
    token, secret = api_token_create(user=cast.manager, name="Old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(API, headers=_auth(secret)).status_code == 401


def test_a_closed_account_token_gets_401(client, cast):
    _, secret = api_token_create(user=cast.manager, name="Reports")
    cast.manager.is_active = False
    cast.manager.save(update_fields=["is_active"])
    assert client.get(API, headers=_auth(secret)).status_code == 401


def test_a_read_token_cannot_write(client, cast):
    _, secret = api_token_create(user=cast.manager, name="Reader", scope=TokenScope.READ)
    url = f"{API}{cast.partnership.pk}"
    assert client.get(url, headers=_auth(secret)).status_code == 200
    body = {"version": cast.partnership.version, "phone": "01234 567890"}
    assert client.patch(url, body, content_type="application/json", headers=_auth(secret)).status_code == 401
    create = {"partnership_id": cast.partnership.pk, "title": "Training"}
    response = client.post("/api/v1/contacts/", create, content_type="application/json", headers=_auth(secret))
    assert response.status_code == 401
    assert client.delete("/api/v1/contacts/1", headers=_auth(secret)).status_code == 401
    cast.partnership.refresh_from_db()
    assert cast.partnership.phone == ""


def test_a_read_only_role_cannot_use_a_token(client, cast):
    _, secret = api_token_create(user=cast.read_only, name="Not allowed")
    assert client.get(API, headers=_auth(secret)).status_code == 401


@pytest.mark.parametrize("days", [0, 366])
def test_it_refuses_a_lifetime_outside_one_to_365_days(cast, days):
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=cast.manager, name="Too long", days=days)
    assert "1 to 365 days" in exc.value.message_dict["days"][0]


def test_a_user_cannot_revoke_someone_elses_token(cast):
    token, _ = api_token_create(user=cast.manager, name="Mine")
    with pytest.raises(ValidationError):
        api_token_revoke(token=token, by=cast.officer)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_openapi_document_is_public_and_lists_every_module(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("agencies", "groups", "people", "memberships", "contacts", "partnerships"):
        assert f"/api/v1/{path}/" in schema["paths"]
