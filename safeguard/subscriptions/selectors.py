"""Reads of the subscriptions module. Workspace reads start from what the user may see."""

from django.db.models import Count, Q

from safeguard.core.access import partnerships_with_capability, visible_partnership_ids
from safeguard.core.roles import Capability
from safeguard.procedures.choices import ReleaseStatus
from safeguard.procedures.models import Manual, Release
from safeguard.procedures.selectors import public_manuals

from .choices import DeliveryStatus, SubscriberStatus
from .models import Delivery, Subscriber

COUNTED = [
    DeliveryStatus.SENT,
    DeliveryStatus.PENDING,
    DeliveryStatus.FAILED,
    DeliveryStatus.UNCONFIRMED,
    DeliveryStatus.CANCELLED,
]


def manual_choices(*, partnership):
    """Manuals a practitioner on ``partnership``'s site can subscribe to (its own and adopted ones)."""
    return public_manuals(partnership=partnership)


def _in_scope(user, path: str) -> Q:
    ids = visible_partnership_ids(user)
    return Q() if ids is None else Q(**{f"{path}__in": ids})


def manual_subscriber_counts(*, user):
    """Manuals the user sees, with their subscribers on the user's partnerships' sites counted by status."""
    scope = _in_scope(user, "subscribers__partnership")

    def count(status):
        return Count("subscribers", filter=scope & Q(subscribers__status=status), distinct=True)

    return (
        Manual.objects.visible_to(user)
        .select_related("partnership")
        .annotate(
            confirmed=count(SubscriberStatus.CONFIRMED),
            pending=count(SubscriberStatus.PENDING),
            unsubscribed=count(SubscriberStatus.UNSUBSCRIBED),
        )
        .order_by("title")
    )


def _delivery_counts(scope: Q) -> dict:
    counts = {
        status: Count("deliveries", filter=scope & Q(deliveries__status=status), distinct=True) for status in COUNTED
    }
    # claimed and sending are moments inside one send: shown as waiting
    counts[DeliveryStatus.PENDING] = Count(
        "deliveries",
        filter=scope
        & Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING]),
        distinct=True,
    )
    return {f"n_{status}": expression for status, expression in counts.items()}


def releases_with_deliveries(*, user, limit: int = 20):
    """The latest published releases of manuals the user sees, with their e-mails counted by status."""
    return (
        release_list(user=user)
        .filter(status=ReleaseStatus.PUBLISHED)
        .annotate(**_delivery_counts(_in_scope(user, "deliveries__subscriber__partnership")))
        .order_by("-published_at", "-pk")[:limit]
    )


def release_list(*, user):
    return Release.objects.filter(manual__in=Manual.objects.visible_to(user)).select_related("manual")


def release_get(*, user, pk):
    return (
        release_list(user=user)
        .annotate(**_delivery_counts(_in_scope(user, "deliveries__subscriber__partnership")))
        .get(pk=pk)
    )


def release_problem_deliveries(*, user, release):
    """Failed and unconfirmed e-mails of ``release`` to subscribers of the user's partnerships."""
    return (
        Delivery.objects.visible_to(user)
        .filter(release=release, status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED])
        .select_related("subscriber__partnership")
        .order_by("status", "pk")
    )


def subscriber_list(*, user):
    """Subscribers of partnerships where the user manages subscriptions (the only list with addresses)."""
    ids = partnerships_with_capability(user, Capability.MANAGE_SUBSCRIPTIONS)
    qs = Subscriber.objects.all() if ids is None else Subscriber.objects.filter(partnership__in=ids)
    return qs.select_related("partnership").prefetch_related("manuals")


def subscriber_get(*, user, pk):
    return Subscriber.objects.visible_to(user).select_related("partnership").get(pk=pk)
