"""API for the partnerships module: the same selectors, services and rules as the web pages."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Router, Schema

from . import selectors

router = Router(tags=["partnerships"])


class PartnershipOut(Schema):
    id: int
    name: str
    slug: str
    short_name: str
    local_authority_code: str
    email: str
    phone: str
    version: int


@router.get("/", response=list[PartnershipOut])
def list_partnerships(request):
    return list(selectors.partnership_list(user=request.user).order_by("name"))


@router.get("/{int:partnership_id}", response=PartnershipOut)
def get_partnership(request, partnership_id: int):
    try:
        return selectors.partnership_get(user=request.user, pk=partnership_id)
    except ObjectDoesNotExist:
        raise Http404 from None
