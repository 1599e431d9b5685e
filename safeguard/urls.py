from django.contrib import admin
from django.urls import include, path

from safeguard.api.api import api
from safeguard.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("safeguard.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("workspace/tokens/", include("safeguard.api.urls")),
    path("workspace/", include("safeguard.workspace.urls")),
    path("workspace/audit/", include("safeguard.audit.urls")),
    path("workspace/partnerships/", include("safeguard.partnerships.urls")),
    path("workspace/procedures/", include("safeguard.procedures.urls_workspace")),
    path("workspace/documents/", include("safeguard.documents.urls")),
    path("workspace/calendar/", include("safeguard.workdays.urls")),
    path("workspace/subscriptions/", include("safeguard.subscriptions.workspace_urls")),
    path("workspace/extracts/", include("safeguard.extracts.urls")),
    path("workspace/annex-a/", include("safeguard.annexa.urls")),
    path("workspace/indicators/", include("safeguard.indicators.urls")),
    path("workspace/child-protection-review/", include("safeguard.indicators.urls_review")),
    path("workspace/returns/", include("safeguard.returns.urls")),
    path("workspace/data-set/", include("safeguard.returns.urls_dashboard")),
    path("<slug:slug>/procedures/", include("safeguard.procedures.urls")),
    path("<slug:slug>/documents/", include("safeguard.documents.public_urls")),
    path("<slug:slug>/updates/", include("safeguard.subscriptions.urls")),
    path("", include("safeguard.public.urls")),
]

handler404 = "safeguard.core.views.page_not_found"
handler403 = "safeguard.core.views.permission_denied"
handler500 = "safeguard.core.views.server_error"
