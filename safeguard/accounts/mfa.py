"""Two-factor authentication rules (allauth.mfa does the cryptography)."""

from allauth.mfa.models import Authenticator
from django.db import transaction

STRONG_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def user_has_strong_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=STRONG_TYPES).exists()


@transaction.atomic
def user_require_mfa_reenrolment(*, user) -> int:
    """Remove every authenticator of ``user`` (lost phone, left the organisation's device...).

    The user must enrol again before using the workspace. Returns how many were removed.
    """
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    user.mfa_reenrol_required = False
    user.save(update_fields=["mfa_reenrol_required"])
    return deleted
