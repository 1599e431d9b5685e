from ninja.security import HttpBearer

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability

from .models import TokenScope
from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    """Bearer personal access token. Write methods need a write-scoped token."""

    def authenticate(self, request, token):
        api_token = api_token_authenticate(secret=token)
        if api_token is None:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and api_token.scope != TokenScope.WRITE:
            return None
        if not has_capability(api_token.user, None, Capability.USE_API):
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token
