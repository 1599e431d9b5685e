"""The Safeguard API, version 1 (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from safeguard.partnerships.api import ROUTERS as PARTNERSHIPS_ROUTERS

from .auth import TokenAuth
from .errors import register_error_handlers

api = NinjaAPI(
    title="Safeguard API",
    version="1.0.0",
    description="Read and write partnership records with a personal access token "
    "(create one under 'Your account' > 'API tokens' in the workspace). The same permissions apply as on "
    "the web. Lists take `limit` (up to 200) and `offset`. Changes take the `version` you read: if the "
    "record has changed since, nothing is saved and the answer is 409. Invalid input is refused with "
    '422 and `{"detail": [{"field": ..., "message": ...}]}`.',
    auth=TokenAuth(),
    urls_namespace="api",
)
register_error_handlers(api)
for prefix, router in PARTNERSHIPS_ROUTERS:
    api.add_router(prefix, router)
