"""The Safeguard API, version 1 (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from safeguard.partnerships.api import router as partnerships_router

from .auth import TokenAuth

api = NinjaAPI(
    title="Safeguard API",
    version="1.0.0",
    description="Read and write partnership records with a personal access token "
    "(create one under 'Your account' in the workspace). The same permissions apply as on the web.",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/partnerships/", partnerships_router)
