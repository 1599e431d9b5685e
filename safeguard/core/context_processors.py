from django.conf import settings
from django.urls import reverse

from .access import visible_partnership_ids
from .navigation import public_navigation, workspace_navigation


def _only_partnership(user):
    """The user's partnership for the header, when they work in exactly one."""
    from safeguard.partnerships.models import Partnership

    ids = visible_partnership_ids(user)
    if ids and len(ids) == 1:
        return Partnership.objects.filter(pk=ids[0]).only("name", "slug").first()
    return None


def service(request):
    partnership = getattr(request, "partnership", None)
    if request.path.startswith("/workspace/") and request.user.is_authenticated:
        nav = workspace_navigation(request)
        home = reverse("workspace:home")
        partnership = partnership or _only_partnership(request.user)
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
