"""The public practitioner site: deliberately open, no login. Shows only published information."""

from django.http import Http404
from django.shortcuts import render

from safeguard.partnerships import selectors
from safeguard.partnerships.models import Partnership


def _partnership(request, slug):
    try:
        request.partnership = selectors.public_partnership_get(slug=slug)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership") from None
    return request.partnership


def index(request):
    return render(request, "public/index.html", {"partnerships": selectors.public_partnerships(), "is_home": True})


def partnership_home(request, slug):
    partnership = _partnership(request, slug)
    return render(
        request,
        "public/partnership_home.html",
        {"partnership": partnership, "groups": selectors.public_groups(partnership=partnership)},
    )


def contacts(request, slug):
    partnership = _partnership(request, slug)
    return render(
        request,
        "public/contacts.html",
        {"partnership": partnership, "contacts": selectors.public_contacts(partnership=partnership)},
    )


def static_page(request, page):
    return render(request, f"public/{page}.html")
