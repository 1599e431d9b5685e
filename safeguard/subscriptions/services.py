"""Writes of the subscriptions module: signing up, confirming, unsubscribing, and sending each
release e-mail exactly once (the steps and the reasoning are in ``policy.py``).

Nothing here logs an e-mail address: log lines name subscriber and delivery ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from safeguard.core.access import has_capability, partnerships_with_capability
from safeguard.core.concurrency import audit_actor, save_new
from safeguard.core.email import send_email
from safeguard.core.roles import Capability
from safeguard.procedures.choices import ReleaseStatus
from safeguard.procedures.models import Release, ReleaseChange
from safeguard.procedures.selectors import public_manuals

from . import emails, policy, tokens
from .choices import DeliveryStatus, SubscriberStatus
from .models import ConfirmationSent, Delivery, Subscriber

logger = logging.getLogger(__name__)

#: The mail server refused (it answered with an error code): nothing was delivered, retrying is safe.
REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError)
DAY = dt.timedelta(days=1)


def normalise_email(value: str) -> str:
    """Trimmed and lower-cased: ``Alex@Example.org `` and ``alex@example.org`` are one subscriber."""
    return (value or "").strip().lower()


def address_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


# --- Signing up -------------------------------------------------------------------------------
@transaction.atomic
def subscriber_request(*, partnership, email: str, manuals, now=None) -> None:
    """Someone asks, on ``partnership``'s site, for e-mails about ``manuals``.

    The answer is the same whether or not the address is already subscribed (the caller shows one
    "check your e-mail" page): a confirmation e-mail goes to the address, carrying the choice in a
    signed link, unless the rate limit for that address is reached. Nothing changes for an existing
    confirmed subscriber until they follow the link.
    """
    now = now or timezone.now()
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an e-mail address in the correct format, like name@example.org"}
        ) from None
    allowed = {m.pk: m for m in public_manuals(partnership=partnership)}
    chosen = [allowed[m.pk] for m in manuals if m.pk in allowed]
    if not chosen or len(chosen) != len(list(manuals)):
        raise ValidationError({"manuals": "Select the procedures you want to hear about"})
    key = address_key(email)
    subscriber = Subscriber.objects.select_for_update().filter(partnership=partnership, email=email).first()
    if subscriber is None:
        subscriber = Subscriber(partnership=partnership, email=email, address_key=key)
        try:
            with transaction.atomic():
                save_new(subscriber, by=None)
        except (IntegrityError, ValidationError):  # someone submitted the same address at the same moment
            subscriber = Subscriber.objects.get(partnership=partnership, email=email)
    if subscriber.status == SubscriberStatus.PENDING:
        subscriber.manuals.set(chosen)
    subscriber.save(update_fields=["updated_at"])  # keeps a renewed sign-up from being pruned
    recent = ConfirmationSent.objects.filter(address_key=key, sent_at__gt=now - policy.CONFIRMATION_MIN_INTERVAL)
    today = ConfirmationSent.objects.filter(address_key=key, sent_at__gt=now - DAY)
    if recent.exists() or today.count() >= policy.CONFIRMATIONS_PER_DAY:
        logger.info("Confirmation e-mail not sent for subscriber %s: rate limit reached", subscriber.pk)
        return
    ConfirmationSent.objects.create(address_key=key, sent_at=now)
    subject, body = emails.confirmation_email(partnership=partnership, subscriber_id=subscriber.pk, manuals=chosen)
    send_email(to=[email], subject=subject, body=body)


def subscriber_for_confirmation(*, partnership, token: str) -> tuple[Subscriber, list]:
    """The subscriber and manuals a confirmation link names; ``InvalidToken`` if it cannot be used."""
    data = tokens.read_confirmation_token(token)
    subscriber = (
        Subscriber.objects.filter(pk=data.subscriber_id, partnership=partnership)
        .exclude(status=SubscriberStatus.UNSUBSCRIBED)
        .first()
    )
    manuals = list(public_manuals(partnership=partnership).filter(pk__in=data.manual_ids))
    if subscriber is None or not manuals:
        raise tokens.InvalidToken(expired=subscriber is None)
    return subscriber, manuals


@transaction.atomic
def subscriber_confirm(*, partnership, token: str, now=None) -> Subscriber:
    """Follow a confirmation link: the address is confirmed and gets exactly the manuals it chose."""
    now = now or timezone.now()
    subscriber, manuals = subscriber_for_confirmation(partnership=partnership, token=token)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.manuals.set(manuals)
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = now
    subscriber.save(update_fields=["status", "confirmed_at", "updated_at"])
    logger.info("Subscriber %s confirmed", subscriber.pk)
    return subscriber


def subscriber_for_manage_token(*, partnership, token: str) -> Subscriber:
    """The subscriber a manage or unsubscribe link names (any status); ``InvalidToken`` otherwise."""
    subscriber = Subscriber.objects.filter(pk=tokens.read_manage_token(token), partnership=partnership).first()
    if subscriber is None or subscriber.status == SubscriberStatus.PENDING:
        raise tokens.InvalidToken()
    return subscriber


@transaction.atomic
def subscriber_update_manuals(*, subscriber: Subscriber, manuals) -> Subscriber:
    if subscriber.status != SubscriberStatus.CONFIRMED:
        raise ValidationError("This subscription has ended: subscribe again.")
    allowed = {m.pk: m for m in public_manuals(partnership=subscriber.partnership)}
    chosen = [allowed[m.pk] for m in manuals if m.pk in allowed]
    if not chosen:
        raise ValidationError({"manuals": "Select the procedures you want to hear about, or unsubscribe"})
    subscriber.manuals.set(chosen)
    subscriber.save(update_fields=["updated_at"])
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, by=None, now=None) -> bool:
    """End a subscription: no more e-mails, and the address is erased. False if it had already ended.

    Release e-mails not yet handed to the mail server are cancelled.
    """
    if by is not None and not has_capability(by, subscriber.partnership_id, Capability.MANAGE_SUBSCRIPTIONS):
        raise PermissionDenied("Only the business unit of this partnership can end someone's subscription.")
    now = now or timezone.now()
    locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if locked.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    locked.status = SubscriberStatus.UNSUBSCRIBED
    locked.unsubscribed_at = now
    locked.email = None
    locked.address_key = ""
    with audit_actor(by):
        locked.save(update_fields=["status", "unsubscribed_at", "email", "address_key", "updated_at"])
    Delivery.objects.filter(
        subscriber=locked, status__in=[DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.CANCELLED, claimed_by="", updated_at=now)
    logger.info("Subscriber %s unsubscribed%s", locked.pk, " by staff" if by is not None else "")
    subscriber.refresh_from_db()
    return True


def subscribers_prune(*, now=None) -> int:
    """Delete sign-ups never confirmed within ``policy.PENDING_RETENTION``, and old rate-limit rows."""
    now = now or timezone.now()
    removed, _ = Subscriber.objects.filter(
        status=SubscriberStatus.PENDING, updated_at__lt=now - policy.PENDING_RETENTION
    ).delete()
    ConfirmationSent.objects.filter(sent_at__lt=now - DAY).delete()
    return removed


# --- Creating deliveries ----------------------------------------------------------------------
def deliveries_create_for_release(*, release: Release, now=None) -> int:
    """One delivery per address for every subscriber of the release's manual who was confirmed when
    it was published. Idempotent: run it any number of times (signal, sweep, both at once)."""
    now = now or timezone.now()
    release = Release.objects.select_related("manual").get(pk=release.pk)
    if release.status != ReleaseStatus.PUBLISHED or release.published_at is None:
        return 0
    local_to = set(ReleaseChange.objects.filter(release=release).values_list("chapter__local_to_id", flat=True))
    owner = release.manual.partnership_id
    subscribers = (
        Subscriber.objects.filter(
            status=SubscriberStatus.CONFIRMED, manuals=release.manual, confirmed_at__lte=release.published_at
        )
        .exclude(email=None)
        .annotate(
            owner_first=Case(When(partnership_id=owner, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("owner_first", "pk")
        .values_list("pk", "partnership_id", "address_key")
        .distinct()
    )
    existing = set(Delivery.objects.filter(release=release).values_list("address_key", flat=True))
    rows = []
    for pk, partnership_id, key in subscribers:
        if key in existing or not (None in local_to or partnership_id in local_to):
            continue  # already has it, or every change is local to another partnership
        existing.add(key)
        rows.append(
            Delivery(
                release=release,
                subscriber_id=pk,
                address_key=key,
                next_attempt_at=now,
                message_id=emails.message_id(release_id=release.pk, subscriber_id=pk),
            )
        )
    if not rows:
        return 0
    with transaction.atomic():
        before = Delivery.objects.filter(release=release).count()
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        created = Delivery.objects.filter(release=release).count() - before
    logger.info("Release %s: %d release e-mail(s) to send", release.pk, created)
    return created


def deliveries_sweep(*, now=None) -> int:
    """Create deliveries missing for releases published in the last ``policy.SWEEP_WINDOW`` (in case
    the ``release_published`` signal was lost), and recover claims of workers that died."""
    now = now or timezone.now()
    recent = Release.objects.filter(status=ReleaseStatus.PUBLISHED, published_at__gte=now - policy.SWEEP_WINDOW)
    created = sum(deliveries_create_for_release(release=release, now=now) for release in recent)
    deliveries_recover(now=now)
    return created


def deliveries_recover(*, now=None) -> tuple[int, int]:
    """Claims older than the lease: ``claimed`` ones were never handed to the mail server, so they go
    back to ``pending``; ``sending`` ones may have been delivered, so they become ``unconfirmed``
    and are never sent again without a decision by staff. Returns (requeued, unconfirmed)."""
    now = now or timezone.now()
    stale = now - policy.claim_lease()
    requeued = Delivery.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=stale).update(
        status=DeliveryStatus.PENDING, claimed_by="", claimed_at=None, updated_at=now
    )
    unconfirmed = Delivery.objects.filter(status=DeliveryStatus.SENDING, sending_at__lt=stale).update(
        status=DeliveryStatus.UNCONFIRMED,
        last_error="The worker stopped while sending: the mail server may or may not have accepted it.",
        updated_at=now,
    )
    if requeued or unconfirmed:
        logger.warning(
            "Recovered release e-mails of stopped workers: %d back in the queue, %d unconfirmed", requeued, unconfirmed
        )
    return requeued, unconfirmed


# --- Sending ----------------------------------------------------------------------------------
@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    delivery_ids: list[int] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliveries_send_due(*, now=None, worker: str | None = None, batch_size: int = policy.BATCH_SIZE, max_batches=40):
    """Send the release e-mails that are due, a batch at a time. Safe to run in several workers."""
    worker = worker or worker_name()
    report = SendReport()
    for _ in range(max_batches):
        ids = deliveries_claim(now=now or timezone.now(), worker=worker, limit=batch_size)
        if not ids:
            break
        _send_claimed(ids, worker=worker, report=report, now=now)
    return report


def deliveries_claim(*, now, worker: str, limit: int) -> list[int]:
    """Claim up to ``limit`` due deliveries for ``worker`` and commit.

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``, so workers claim different rows. SQLite:
    transactions are IMMEDIATE (settings), so a second worker waits for the first one's commit.
    """
    with transaction.atomic():
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.CLAIMED, claimed_by=worker, claimed_at=now, updated_at=now
            )
    return list(
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.CLAIMED, claimed_by=worker).values_list(
            "pk", flat=True
        )
    )


def _send_claimed(ids: list[int], *, worker: str, report: SendReport, now=None) -> None:
    """``now`` fixes the clock (tests); None: the real time at each step."""
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("release__manual", "subscriber__partnership")
        .order_by("release_id", "pk")
    )
    changes: dict[int, list] = {}
    contents: dict[tuple[int, int], emails.ReleaseContent] = {}
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as exc:  # noqa: BLE001 - whatever the backend raises, nothing was handed over
        for delivery in deliveries:
            _retry_later(delivery.pk, from_status=DeliveryStatus.CLAIMED, error=exc, report=report, now=now)
        return
    try:
        for index, delivery in enumerate(deliveries):
            release, partnership = delivery.release, delivery.subscriber.partnership
            if release.pk not in changes:
                changes[release.pk] = list(
                    ReleaseChange.objects.filter(release=release).select_related("chapter").order_by("chapter__title")
                )
            key = (release.pk, partnership.pk)
            if key not in contents:
                contents[key] = emails.release_content(
                    release=release, partnership=partnership, changes=changes[release.pk]
                )
            if not _send_one(delivery, content=contents[key], mail=mail, worker=worker, report=report, now=now):
                mail.close()  # the connection is in an unknown state: start a fresh one
                try:
                    mail.open()
                except Exception as exc:  # noqa: BLE001 - as above: nothing handed over
                    for later in deliveries[index + 1 :]:
                        _retry_later(later.pk, from_status=DeliveryStatus.CLAIMED, error=exc, report=report, now=now)
                    return
    finally:
        try:
            mail.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)


def _send_one(delivery: Delivery, *, content, mail, worker: str, report: SendReport, now=None) -> bool:
    """Send one claimed delivery. Returns False when the mail connection should be renewed."""
    email = delivery.subscriber.email
    if content.is_empty or not email:
        _cancel(delivery.pk, worker)
        report.cancelled += 1
        return True
    message = emails.release_message(
        content=content, to=email, subscriber_id=delivery.subscriber_id, message_id=delivery.message_id, connection=mail
    )
    clock = now
    now = clock or timezone.now()
    with transaction.atomic():
        moved = Delivery.objects.filter(
            pk=delivery.pk,
            status=DeliveryStatus.CLAIMED,
            claimed_by=worker,
            subscriber__status=SubscriberStatus.CONFIRMED,
        ).update(status=DeliveryStatus.SENDING, sending_at=now, attempts=F("attempts") + 1, updated_at=now)
    # Committed: from here on, a crash leaves the delivery in "sending" (never re-sent automatically).
    if not moved:
        _cancel(delivery.pk, worker)  # unsubscribed meanwhile (or recovered by another worker)
        report.cancelled += 1
        return True
    try:
        count = mail.send_messages([message])
    except REFUSED as exc:
        _retry_later(delivery.pk, from_status=DeliveryStatus.SENDING, error=exc, report=report, now=clock)
        return False
    except Exception as exc:  # noqa: BLE001 - e.g. the connection dropped mid-message: it may have been delivered
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.UNCONFIRMED, last_error=_describe(exc), updated_at=clock or timezone.now()
        )
        logger.error("Release e-mail %s unconfirmed: %s", delivery.pk, _describe(exc))
        report.unconfirmed += 1
        return False
    if not count:
        _retry_later(delivery.pk, from_status=DeliveryStatus.SENDING, error=None, report=report, now=clock)
        return False
    done = clock or timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status__in=[DeliveryStatus.SENDING, DeliveryStatus.UNCONFIRMED]).update(
        status=DeliveryStatus.SENT, sent_at=done, last_error="", updated_at=done
    )
    report.sent += 1
    report.delivery_ids.append(delivery.pk)
    return True


def _cancel(pk: int, worker: str) -> None:
    Delivery.objects.filter(pk=pk, status=DeliveryStatus.CLAIMED, claimed_by=worker).update(
        status=DeliveryStatus.CANCELLED, updated_at=timezone.now()
    )


def _retry_later(pk: int, *, from_status: str, error, report: SendReport, now=None) -> None:
    """The server refused or could not be reached: try again after a back-off, or give up."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=pk, status=from_status).first()
        if delivery is None:
            return
        attempts = delivery.attempts + (1 if from_status == DeliveryStatus.CLAIMED else 0)
        fields = {"attempts": attempts, "last_error": _describe(error), "claimed_by": "", "updated_at": now}
        if attempts >= policy.MAX_ATTEMPTS:
            Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.FAILED, **fields)
            report.failed += 1
            logger.error(
                "Gave up sending release %s e-mail (delivery %s) after %d attempts: %s",
                delivery.release_id,
                pk,
                attempts,
                fields["last_error"],
            )
        else:
            Delivery.objects.filter(pk=pk).update(
                status=DeliveryStatus.PENDING, next_attempt_at=now + policy.backoff(attempts), **fields
            )
            report.retrying += 1
            logger.warning(
                "Release e-mail %s not sent (attempt %d), will retry: %s", pk, attempts, fields["last_error"]
            )


def _describe(error) -> str:
    """What went wrong, without the address (servers often quote it in their reply)."""
    if error is None:
        return "The mail server accepted no message."
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in error.recipients.values()})
        return f"The mail server refused the recipient (SMTP {', '.join(codes)})."
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server refused the message (SMTP {error.smtp_code}, {type(error).__name__})."
    return f"{type(error).__name__}: could not complete sending."[:300]


# --- Staff decisions --------------------------------------------------------------------------
def _manageable_deliveries(*, release: Release, by):
    ids = partnerships_with_capability(by, Capability.MANAGE_SUBSCRIPTIONS)
    qs = Delivery.objects.filter(release=release)
    if ids is not None:
        if not ids:
            raise PermissionDenied("Only the business unit can act on release e-mails.")
        qs = qs.filter(subscriber__partnership__in=ids)
    return qs


@transaction.atomic
def deliveries_retry_failed(*, release: Release, by, now=None) -> int:
    """Put the failed release e-mails of ``release`` back in the queue (staff, after fixing the cause)."""
    now = now or timezone.now()
    count = 0
    for delivery in _manageable_deliveries(release=release, by=by).filter(status=DeliveryStatus.FAILED):
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = now
        with audit_actor(by):
            delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        count += 1
    return count


RESEND, MARK_SENT = "resend", "mark_sent"


@transaction.atomic
def deliveries_resolve_unconfirmed(*, release: Release, by, decision: str, now=None) -> int:
    """Staff decide about e-mails a worker stopped while sending: ``mark_sent`` (nothing more is sent)
    or ``resend`` (sent again with the same Message-ID: the subscriber may get it twice)."""
    if decision not in (RESEND, MARK_SENT):
        raise ValidationError({"decision": "Choose whether to send them again or record them as sent"})
    now = now or timezone.now()
    count = 0
    for delivery in _manageable_deliveries(release=release, by=by).filter(status=DeliveryStatus.UNCONFIRMED):
        if decision == MARK_SENT:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = delivery.sending_at or now
            delivery.last_error = "Recorded as sent by staff."
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now
            delivery.claimed_by = ""
            delivery.last_error = "Sent again at staff request."
        with audit_actor(by):
            delivery.save(
                update_fields=["status", "sent_at", "next_attempt_at", "claimed_by", "last_error", "updated_at"]
            )
        count += 1
    return count
