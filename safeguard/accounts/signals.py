from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from .mfa import user_require_mfa_reenrolment


@receiver(user_logged_in)
def enforce_reenrolment(sender, request, user, **kwargs):
    if user.mfa_reenrol_required:
        user_require_mfa_reenrolment(user=user)
