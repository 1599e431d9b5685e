"""Login lockout (django-axes): 5 failed sign-ins for one e-mail address from one IP address lock
that combination for 30 minutes (``AXES_FAILURE_LIMIT``, ``AXES_COOLOFF_TIME``)."""


def login_identifier(request, credentials) -> str | None:
    """The e-mail address tried, from allauth's credentials or the login form, lower-cased."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login")
    return value.strip().lower() if value else None
