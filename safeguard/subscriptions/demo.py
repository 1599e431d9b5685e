"""Synthetic demo subscribers: invented ``@example.org`` addresses (a reserved domain: never a real
person), and the e-mails they were sent about the latest published demo release, including one
failed and one unconfirmed so the workspace page has something to show. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safeguard.partnerships.models import Partnership
from safeguard.procedures.choices import ReleaseStatus
from safeguard.procedures.models import Release
from safeguard.procedures.selectors import public_manuals

from .choices import DeliveryStatus, SubscriberStatus
from .emails import message_id
from .models import Delivery, Subscriber
from .services import address_key

PEOPLE = ["dsl.primary", "health.visitor", "youth.worker", "school.nurse", "social.worker", "police.officer"]


@transaction.atomic
def load_demo_subscriptions() -> int:
    """Returns the number of subscribers added (0 when the demo subscribers are already there)."""
    if Subscriber.objects.filter(email__endswith="@example.org", email__startswith="demo.").exists():
        return 0
    now = timezone.now()
    added = 0
    for partnership in Partnership.objects.filter(slug__in=["northdale", "eastmoor-westbrook"]).order_by("pk"):
        manuals = list(public_manuals(partnership=partnership))
        if not manuals:
            continue
        subscribers = []
        for index, person in enumerate(PEOPLE):
            email = f"demo.{person}.{partnership.slug}@example.org"
            subscriber = Subscriber.objects.create(
                partnership=partnership,
                email=email,
                address_key=address_key(email),
                status=SubscriberStatus.CONFIRMED,
                confirmed_at=now - dt.timedelta(days=20 - index),
            )
            subscriber.manuals.set(manuals)
            subscribers.append(subscriber)
        pending_email = f"demo.new.starter.{partnership.slug}@example.org"
        pending = Subscriber.objects.create(
            partnership=partnership, email=pending_email, address_key=address_key(pending_email)
        )
        pending.manuals.set(manuals)
        gone = Subscriber.objects.create(
            partnership=partnership,
            email=None,
            status=SubscriberStatus.UNSUBSCRIBED,
            confirmed_at=now - dt.timedelta(days=60),
            unsubscribed_at=now - dt.timedelta(days=10),
        )
        gone.manuals.set(manuals)
        added += len(subscribers) + 2
        _demo_deliveries(subscribers, manuals, now)
    return added


def _demo_deliveries(subscribers, manuals, now) -> None:
    release = Release.objects.filter(manual__in=manuals, status=ReleaseStatus.PUBLISHED).order_by("-go_live_on").first()
    if release is None:
        return
    sent_at = now - dt.timedelta(days=1)
    for index, subscriber in enumerate(subscribers):
        delivery = Delivery(
            release=release,
            subscriber=subscriber,
            address_key=subscriber.address_key,
            status=DeliveryStatus.SENT,
            attempts=1,
            next_attempt_at=sent_at,
            sent_at=sent_at,
            sending_at=sent_at,
            message_id=message_id(release_id=release.pk, subscriber_id=subscriber.pk),
        )
        if index == len(subscribers) - 1:
            delivery.status, delivery.sent_at, delivery.attempts = DeliveryStatus.FAILED, None, 6
            delivery.last_error = "The mail server refused the recipient (SMTP 550)."
        elif index == len(subscribers) - 2:
            delivery.status, delivery.sent_at = DeliveryStatus.UNCONFIRMED, None
            delivery.last_error = "The worker stopped while sending: the mail server may or may not have accepted it."
        delivery.save()
