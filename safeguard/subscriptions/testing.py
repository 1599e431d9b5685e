"""Factories for the subscriptions module, and its objects for the workspace permission harness."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from safeguard.procedures import services as procedures
from safeguard.procedures.choices import ChangeKind

from .choices import DeliveryStatus, SubscriberStatus
from .emails import message_id
from .models import Delivery, Subscriber
from .services import address_key


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber (pass ``status=SubscriberStatus.PENDING`` for an unconfirmed sign-up)."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    email = factory.Sequence(lambda n: f"practitioner{n}@example.org")
    address_key = factory.LazyAttribute(lambda o: address_key(o.email))
    status = SubscriberStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))

    @factory.post_generation
    def manuals(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.manuals.set(extracted)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    subscriber = factory.SubFactory(SubscriberFactory)
    address_key = factory.LazyAttribute(lambda o: o.subscriber.address_key)
    status = DeliveryStatus.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)
    sent_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == DeliveryStatus.SENT else None)
    message_id = factory.LazyAttribute(lambda o: message_id(release_id=o.release.pk, subscriber_id=o.subscriber.pk))


def published_release(*, partnership, by=None, title="December 2026", slug="cpp", chapters=("Strategy Discussions",)):
    """A manual of ``partnership`` with one live release adding ``chapters`` (published now)."""
    from safeguard.procedures.models import Manual

    manual = Manual.objects.filter(partnership=partnership, slug=slug).first()
    if manual is None:
        manual = Manual.objects.create(partnership=partnership, title="Child Protection Procedures", slug=slug)
    section = procedures.section_create(manual=manual, by=by, title="Child protection processes")
    release = procedures.release_create(manual=manual, by=by, title=title, go_live_on=timezone.localdate())
    for index, chapter_title in enumerate(chapters):
        chapter = procedures.chapter_create(
            section=section,
            by=by,
            title=chapter_title,
            slug=f"{slug}-chapter-{Manual.objects.count()}-{index}-{release.pk}",
            body_markdown=f"About {chapter_title}.",
        )
        procedures.release_add_change(
            release=release, by=by, chapter=chapter, kind=ChangeKind.NEW, summary=f"New: {chapter_title}."
        )
    procedures.release_publish(release=release, by=by)
    return release


def harness_objects(cast, partnership) -> dict:
    """One object of each model named by ``<int:pk>`` in this module's workspace URLs."""
    from safeguard.procedures.models import Release

    release = published_release(partnership=partnership, slug=f"harness-{Release.objects.count()}")
    subscriber = SubscriberFactory(partnership=partnership, manuals=[release.manual])
    DeliveryFactory(release=release, subscriber=subscriber, status=DeliveryStatus.FAILED, attempts=6)
    return {Release: release, Subscriber: subscriber}
