"""Issuing, checking and revoking personal access tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, TokenScope

TOKEN_PREFIX = "sg_"  # noqa: S105 - a public prefix, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, scope: str = TokenScope.READ, days: int = 90) -> tuple[ApiToken, str]:
    """Create a token; returns it and the secret, which is shown once and never stored."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": f"A token can last from 1 to {settings.API_TOKEN_MAX_DAYS} days."})
    public = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name,
        prefix=f"{TOKEN_PREFIX}{public}",
        key_hash=_hash(secret),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, secret


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token for ``secret``, or None (unknown, revoked, expired or inactive user)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk and not by.is_superuser:
        raise ValidationError("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
