"""The Safeguard API, version 1 (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from ninja import NinjaAPI

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

# Each module publishes ``ROUTERS = [(prefix, Router), ...]`` in its ``api.py``; they are added in
# INSTALLED_APPS order.
for config in apps.get_app_configs():
    if config.name.startswith("safeguard.") and config.name != "safeguard.api" and find_spec(f"{config.name}.api"):
        for prefix, router in getattr(import_module(f"{config.name}.api"), "ROUTERS", []):
            api.add_router(prefix, router)
