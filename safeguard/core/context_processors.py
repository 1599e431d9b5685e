from django.conf import settings
from django.urls import reverse

from .navigation import public_navigation, workspace_navigation


def service(request):
    partnership = getattr(request, "partnership", None)
    if request.path.startswith("/workspace/") and request.user.is_authenticated:
        nav = workspace_navigation(request)
        home = reverse("workspace:home")
    elif partnership is not None:
        nav = public_navigation(request, partnership)
        home = reverse("public:partnership_home", args=[partnership.slug])
    else:
        nav, home = [], reverse("public:index")
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "header_partnership": partnership,
        "nav_items": nav,
        "header_home": home,
    }
