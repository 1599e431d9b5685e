"""Workspace security: idle timeout and mandatory two-factor authentication.

- A signed-in session ends after ``SESSION_IDLE_SECONDS`` without a request (30 minutes).
- A workspace user must have a TOTP app or a security key before using the workspace. Demo users
  in demo mode (``make run``) are the only exception, and every page then shows a demo banner.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import user_has_strong_authenticator

_LAST_SEEN = "sg_last_seen"
_PROTECTED_PREFIXES = ("/workspace/", "/django-admin/")


class WorkspaceSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = time.time()
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, "You were signed out because you had not used Safeguard for 30 minutes.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session[_LAST_SEEN] = now
            if request.path.startswith(_PROTECTED_PREFIXES) and not self._mfa_satisfied(user):
                messages.warning(
                    request,
                    "Set up two-factor authentication to use the workspace: an authenticator app on your "
                    "phone, or a security key.",
                )
                return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _mfa_satisfied(user) -> bool:
        if settings.DEMO_MODE and user.demo_account:
            return True
        return user_has_strong_authenticator(user)
