"""Health check and error pages."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import WorkerHeartbeat


@never_cache
def healthz(request):
    """Deliberately public: 200 when the database answers and a task worker beat recently, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any database failure makes the service unhealthy
        checks["database"] = "unavailable"
    if checks["database"] == "ok":
        cutoff = timezone.now() - dt.timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
        latest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
        if latest is None:
            checks["worker"] = "no worker has started"
        elif latest < cutoff:
            checks["worker"] = f"no heartbeat since {latest:%Y-%m-%dT%H:%M:%SZ}"
        else:
            checks["worker"] = "ok"
    else:
        checks["worker"] = "unknown"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", "checks": checks}, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
