import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

ENTRA = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "entra",
                "name": "Microsoft Entra ID",
                "client_id": "client-id",
                "secret": "client-secret",
                "settings": {"server_url": "https://login.microsoftonline.com/tenant-id/v2.0"},
            }
        ],
    }
}


def test_sign_in_page_has_no_sso_button_when_sso_is_not_configured(client):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


@override_settings(SOCIALACCOUNT_PROVIDERS=ENTRA)
def test_sign_in_page_offers_entra_id_when_configured(client):
    body = client.get("/accounts/login/").content.decode()
    assert "Sign in with Microsoft Entra ID" in body
    assert "/accounts/oidc/entra/login/" in body


def test_oidc_settings_are_read_from_the_environment(monkeypatch):
    import importlib

    from safeguard.settings import base

    monkeypatch.setenv("SAFEGUARD_OIDC_CLIENT_ID", "abc")
    monkeypatch.setenv("SAFEGUARD_OIDC_CLIENT_SECRET", "shh")
    monkeypatch.setenv("SAFEGUARD_OIDC_SERVER_URL", "https://login.microsoftonline.com/t/v2.0")
    reloaded = importlib.reload(base)
    try:
        app = reloaded.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
        assert app["client_id"] == "abc"
        assert app["settings"]["server_url"] == "https://login.microsoftonline.com/t/v2.0"
    finally:
        monkeypatch.delenv("SAFEGUARD_OIDC_CLIENT_ID")
        importlib.reload(base)


def test_oidc_without_a_secret_stops_start_up(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    from safeguard.settings import base

    monkeypatch.setenv("SAFEGUARD_OIDC_CLIENT_ID", "abc")
    monkeypatch.delenv("SAFEGUARD_OIDC_CLIENT_SECRET", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured, match="SAFEGUARD_OIDC_CLIENT_SECRET must be set"):
            importlib.reload(base)
    finally:
        monkeypatch.delenv("SAFEGUARD_OIDC_CLIENT_ID")
        importlib.reload(base)
