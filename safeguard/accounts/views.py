from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from safeguard.partnerships.selectors import role_assignments_for_user

from .mfa import user_has_strong_authenticator


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "assignments": role_assignments_for_user(user=request.user),
            "has_mfa": user_has_strong_authenticator(request.user),
        },
    )
