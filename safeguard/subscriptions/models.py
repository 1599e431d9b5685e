"""Practitioners subscribed to procedures updates, and one delivery row per release e-mail.

A subscriber belongs to the partnership site they signed up on (its business unit sees them; the
links in their e-mails point at that site) and chooses among the manuals that site publishes.
The address is stored normalised (trimmed, lower case); ``address_key`` (its SHA-256) lets the
database refuse a second e-mail for the same release to the same address. The address itself is
erased when someone unsubscribes. See ``policy.py`` for how sending is made exactly-once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, scoped_queryset
from safeguard.partnerships.models import Partnership
from safeguard.procedures.models import Manual, Release

from .choices import DeliveryStatus, SubscriberStatus


class Subscriber(TimeStampedModel):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="subscribers", help_text="The site they subscribed on."
    )
    email = models.EmailField(
        "e-mail address", max_length=254, null=True, blank=True, help_text="Normalised; erased on unsubscribe."
    )
    address_key = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING)
    manuals = models.ManyToManyField(Manual, related_name="subscribers", blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "email"], name="subscriptions_subscriber_unique_email"),
            models.CheckConstraint(
                condition=Q(status="unsubscribed") | Q(email__isnull=False),
                name="subscriptions_subscriber_email_unless_unsubscribed",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="subscriptions_subscriber_confirmed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="subscriber_status_updated"),  # pruning sign-ups
            models.Index(fields=["address_key"], name="subscriber_address_key"),  # one e-mail per address
        ]

    def __str__(self) -> str:
        return f"Subscriber {self.pk}"  # never the address: this appears in the audit log

    def get_additional_data(self) -> dict:
        return {"partnership_id": self.partnership_id}


class ConfirmationSent(models.Model):
    """One row per confirmation e-mail sent, to rate-limit them per address (kept one day)."""

    address_key = models.CharField(max_length=64)
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address_key", "sent_at"], name="confirmation_rate")]  # the rate limit

    def __str__(self) -> str:
        return f"Confirmation {self.pk}"


class Delivery(TimeStampedModel):
    """The e-mail about one release to one subscriber: created once, sent at most once."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="deliveries")
    address_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, help_text="Never contains the address.")
    message_id = models.CharField(max_length=200, unique=True)

    objects = scoped_queryset("subscriber__partnership").as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["release", "subscriber"], name="subscriptions_delivery_once"),
            models.UniqueConstraint(fields=["release", "address_key"], name="subscriptions_delivery_once_per_address"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="subscriptions_delivery_sent_at"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),  # the worker's claim
            models.Index(fields=["status", "claimed_at"], name="delivery_claimed"),  # recovering dead claims
            models.Index(fields=["release", "status"], name="delivery_release_status"),  # counts per release
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} of {self.release_id}"

    def get_additional_data(self) -> dict:
        return {"partnership_id": self.subscriber.partnership_id}
