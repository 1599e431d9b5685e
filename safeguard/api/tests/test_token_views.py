"""Token pages: your own tokens only, the secret shown once, revoking with a confirmation."""

from django.urls import reverse

from safeguard.api.models import ApiToken, TokenScope
from safeguard.api.services import api_token_create

LIST = reverse("tokens:token_list")
CREATE = reverse("tokens:token_create")


def test_the_list_shows_only_your_own_tokens(client, cast):
    api_token_create(user=cast.manager, name="Manager's Power BI")
    api_token_create(user=cast.officer, name="Officer's script")
    client.force_login(cast.manager)
    page = client.get(LIST).content.decode()
    assert "Manager&#x27;s Power BI" in page
    assert "Officer" not in page


def test_creating_a_token_shows_the_secret_once(client, cast):
    client.force_login(cast.manager)
    response = client.post(CREATE, {"name": "Power BI refresh", "scope": TokenScope.WRITE, "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    page = response.content.decode()
    assert secret in page
    assert "Copy this token now" in page
    token = ApiToken.objects.get(user=cast.manager)
    assert token.scope == TokenScope.WRITE and token.name == "Power BI refresh"
    assert secret not in client.get(LIST).content.decode()
    api = client.get("/api/v1/partnerships/", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


def test_the_create_form_says_how_to_fix_a_bad_lifetime(client, cast):
    client.force_login(cast.manager)
    response = client.post(CREATE, {"name": "Forever", "scope": TokenScope.READ, "days": "400"})
    assert response.status_code == 200
    assert "Enter a whole number of days from 1 to 365." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_create_form_starts_with_90_days_read_only(client, cast):
    client.force_login(cast.manager)
    form = client.get(CREATE).context["form"]
    assert form["days"].initial == 90
    assert form["scope"].initial == TokenScope.READ


def test_revoking_asks_first_then_stops_the_token(client, cast):
    token, secret = api_token_create(user=cast.manager, name="Old script")
    url = reverse("tokens:token_revoke", args=[token.pk])
    client.force_login(cast.manager)
    assert "Yes, revoke it" in client.get(url).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(LIST).content.decode()
    assert client.get("/api/v1/partnerships/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_another_users_token_is_not_found(client, cast):
    token, _ = api_token_create(user=cast.manager, name="Manager's")
    url = reverse("tokens:token_revoke", args=[token.pk])
    client.force_login(cast.officer)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_role_without_api_use_cannot_open_the_token_pages(client, cast):
    client.force_login(cast.read_only)
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"name": "x", "scope": "read", "days": "5"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_account_page_links_to_tokens_for_api_users_only(client, cast):
    profile = reverse("accounts:profile")
    client.force_login(cast.manager)
    assert LIST in client.get(profile).content.decode()
    client.force_login(cast.read_only)
    assert LIST not in client.get(profile).content.decode()
