import time

import pytest
from django.test import override_settings

from safeguard.accounts.mfa import user_has_strong_authenticator, user_require_mfa_reenrolment

pytestmark = pytest.mark.django_db


def test_workspace_user_without_mfa_is_sent_to_set_it_up(client, cast):
    client.force_login(cast.no_mfa_manager)
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


def test_user_with_mfa_gets_the_workspace(client, cast):
    client.force_login(cast.manager)
    assert client.get("/workspace/").status_code == 200


@override_settings(DEMO_MODE=True)
def test_demo_user_may_skip_mfa_only_in_demo_mode_with_a_banner(client, cast):
    cast.no_mfa_manager.demo_account = True
    cast.no_mfa_manager.save()
    client.force_login(cast.no_mfa_manager)
    response = client.get("/workspace/")
    assert response.status_code == 200
    assert 'data-testid="demo-banner"' in response.content.decode()


def test_demo_account_still_needs_mfa_outside_demo_mode(client, cast):
    cast.no_mfa_manager.demo_account = True
    cast.no_mfa_manager.save()
    client.force_login(cast.no_mfa_manager)
    assert client.get("/workspace/").status_code == 302


def test_requiring_reenrolment_removes_authenticators(cast):
    assert user_has_strong_authenticator(cast.manager)
    user_require_mfa_reenrolment(user=cast.manager)
    assert not user_has_strong_authenticator(cast.manager)


def test_password_login_then_second_factor_is_asked(client, cast):
    response = client.post(
        "/accounts/login/", {"login": "manager@northdale.test", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_five_failed_logins_lock_the_account_with_a_clear_message(client, cast):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "manager@northdale.test", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "manager@northdale.test", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "You cannot sign in for 30 minutes" in response.content.decode()


def test_idle_session_is_signed_out_after_30_minutes(client, cast):
    client.force_login(cast.manager)
    assert client.get("/workspace/").status_code == 200
    session = client.session
    session["sg_last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/workspace/").status_code == 302


def test_self_signup_is_closed(client):
    response = client.get("/accounts/signup/")
    assert "sign up closed" in response.content.decode().lower()
