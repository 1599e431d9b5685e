"""The data set's public summary on the partnership's site (no login): the latest submitted agency
figures by theme, always suppressed, shown only when the partnership publishes it
(``DataSetSettings.publish_summary``); a 404 otherwise, as for a page that does not exist."""

from django.http import Http404
from django.shortcuts import render

from safeguard.core.suppression import default_threshold
from safeguard.partnerships import selectors as partnership_selectors
from safeguard.partnerships.models import Partnership

from . import dashboard
from .models import DataSetSettings


def summary(request, slug):
    try:
        partnership = partnership_selectors.public_partnership_get(slug=slug)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership") from None
    if not DataSetSettings.objects.filter(partnership=partnership, publish_summary=True).exists():
        raise Http404("This partnership does not publish its data set")
    request.partnership = partnership
    return render(
        request,
        "returns/public/summary.html",
        {
            "partnership": partnership,
            "themes": dashboard.public_summary(partnership=partnership),
            "suppression_note": dashboard.suppression_note(default_threshold()),
        },
    )
