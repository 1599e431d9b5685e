"""Release e-mails: what they say, and that each address gets each release exactly once."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from safeguard.core import scheduler
from safeguard.procedures import services as procedures
from safeguard.procedures.choices import ChangeKind
from safeguard.procedures.models import Manual
from safeguard.subscriptions import policy, services, tasks
from safeguard.subscriptions.choices import DeliveryStatus, SubscriberStatus
from safeguard.subscriptions.models import Delivery, Subscriber
from safeguard.subscriptions.testing import SubscriberFactory

from .backends import FlakyBackend, KillOnNthBackend, WorkerKilled
from .helpers import CHRISTMAS, at, release_emails

pytestmark = pytest.mark.django_db

LATER = at(CHRISTMAS) + policy.claim_lease() + dt.timedelta(seconds=1)


def test_the_release_email_lists_what_changed_with_links(cast, manual, december, subscriber_of, go_live, settings):
    settings.SITE_URL = "https://procedures.example.org"
    subscriber = subscriber_of()
    go_live(december)
    (message,) = release_emails(mail.outbox)
    assert message.subject == "Northdale Test Partnership procedures: December 2026 update is live"
    assert message.to == ["alex@example.org"]
    site = "https://procedures.example.org/northdale-test"
    body = message.body
    assert "New chapters" in body and f"{site}/procedures/cpp/core-groups/" in body
    assert "Updated chapters" in body and "What changed: Reinforces the minimum 6 month plan." in body
    assert f"{site}/procedures/cpp/conferences/" in body
    assert "Removed chapters" in body and "Section 47 Enquiries" in body
    assert f"{site}/procedures/cpp/section-47/" not in body  # a removed chapter has no page
    assert f"{site}/procedures/cpp/amendments/" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{site}/procedures/cpp/core-groups/"' in html
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith(f"<{site}/updates/unsubscribe/")
    assert headers["List-Unsubscribe"].endswith("/one-click/>")
    delivery = Delivery.objects.get()
    assert headers["Message-ID"] == delivery.message_id
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at and delivery.subscriber == subscriber


def test_one_email_per_release_per_address_when_the_signal_and_the_sweep_both_run(
    cast, manual, december, subscriber_of, go_live
):
    for n in range(3):
        subscriber_of(email=f"p{n}@example.org")
    go_live(december)
    for _ in range(3):
        assert services.deliveries_sweep(now=at(CHRISTMAS, 10)) == 0
        services.deliveries_send_due(now=at(CHRISTMAS, 10))
    tasks.sweep_release_emails.enqueue()
    assert services.deliveries_create_for_release(release=december) == 0
    assert Delivery.objects.count() == 3
    assert sorted(m.to[0] for m in release_emails(mail.outbox)) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]


def test_the_sweep_sends_when_the_signal_was_lost(cast, manual, december, subscriber_of):
    subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))  # on-commit signal never runs here
    assert release_emails(mail.outbox) == []
    services.deliveries_sweep(now=at(CHRISTMAS, 10))
    services.deliveries_send_due(now=at(CHRISTMAS, 10))
    assert len(release_emails(mail.outbox)) == 1


def test_one_email_when_the_same_address_subscribed_on_two_sites(cast, manual, december, subscriber_of, go_live):
    manual.adopted_by.add(cast.other_partnership)
    subscriber_of(email="alex@example.org")
    subscriber_of(email="alex@example.org", partnership=cast.other_partnership)
    go_live(december)
    services.deliveries_sweep(now=at(CHRISTMAS, 10))
    (message,) = release_emails(mail.outbox)
    assert "/northdale-test/" in message.body  # the owner's site is preferred


def test_adopting_sites_link_to_their_own_pages_and_skip_other_sites_local_chapters(cast, manual, go_live):
    manual.adopted_by.add(cast.other_partnership)
    SubscriberFactory(partnership=cast.other_partnership, email="sam@example.org", manuals=[manual])
    section = manual.sections.get()
    local = procedures.chapter_create(
        section=section, by=cast.manager, title="Northdale Local Contacts", slug="local", body_markdown="Local."
    )
    local.local_to = cast.partnership
    local.save()
    release = procedures.release_create(manual=manual, by=cast.manager, title="December 2026", go_live_on=CHRISTMAS)
    procedures.release_add_change(release=release, by=cast.manager, chapter=local, kind=ChangeKind.NEW)
    go_live(release)
    assert release_emails(mail.outbox) == []  # nothing in it concerns Southvale's practitioners
    shared = manual.chapters.get(slug="core-groups")
    release2 = procedures.release_create(manual=manual, by=cast.manager, title="January 2027", go_live_on=CHRISTMAS)
    procedures.release_add_change(release=release2, by=cast.manager, chapter=shared, kind=ChangeKind.NEW)
    procedures.release_add_change(
        release=release2,
        by=cast.manager,
        chapter=local,
        kind=ChangeKind.UPDATED,
        version=local.versions.get(),
    )
    go_live(release2)
    (message,) = release_emails(mail.outbox)
    assert "/southvale-test/procedures/cpp/core-groups/" in message.body
    assert "Northdale Local Contacts" not in message.body
    assert message.subject.startswith("Southvale Test Partnership procedures:")


def test_a_subscriber_confirmed_after_go_live_does_not_get_that_release(cast, manual, december, go_live):
    go_live(december)
    SubscriberFactory(partnership=cast.partnership, manuals=[manual], confirmed_at=at(CHRISTMAS, 11))
    services.deliveries_sweep(now=at(CHRISTMAS, 12))
    assert Delivery.objects.count() == 0


def test_pending_and_unsubscribed_people_get_nothing(cast, manual, december, subscriber_of, go_live):
    subscriber_of(email="pending@example.org", status=SubscriberStatus.PENDING, confirmed_at=None)
    gone = subscriber_of(email="gone@example.org")
    services.subscriber_unsubscribe(subscriber=gone)
    go_live(december)
    assert release_emails(mail.outbox) == [] and Delivery.objects.count() == 0


def test_unsubscribing_after_go_live_cancels_the_email_not_yet_sent(cast, manual, december, subscriber_of):
    subscriber = subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    services.subscriber_unsubscribe(subscriber=subscriber)
    services.deliveries_send_due(now=at(CHRISTMAS, 10))
    assert release_emails(mail.outbox) == []
    assert Delivery.objects.get().status == DeliveryStatus.CANCELLED


@override_settings(EMAIL_BACKEND="safeguard.subscriptions.tests.backends.FlakyBackend")
def test_a_refused_email_is_retried_after_a_backoff_and_sent_once(cast, manual, december, subscriber_of, caplog):
    FlakyBackend.failures, FlakyBackend.refused = 2, 0
    subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    now = at(CHRISTMAS)
    report = services.deliveries_send_due(now=now)
    delivery = Delivery.objects.get()
    assert (report.retrying, delivery.status, delivery.attempts) == (1, DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at > now and "SMTP 451" in delivery.last_error
    assert services.deliveries_send_due(now=now).sent == 0  # not due yet
    services.deliveries_send_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING
    services.deliveries_send_due(now=delivery.next_attempt_at + dt.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(release_emails(mail.outbox)) == 1
    assert all("alex" not in r.getMessage() for r in caplog.records)


@override_settings(EMAIL_BACKEND="safeguard.subscriptions.tests.backends.FlakyBackend")
def test_it_gives_up_after_max_attempts_reports_it_and_staff_can_retry(
    client, cast, manual, december, subscriber_of, caplog, django_capture_on_commit_callbacks
):
    FlakyBackend.failures, FlakyBackend.refused = policy.MAX_ATTEMPTS, 0
    subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    now = at(CHRISTMAS)
    for _ in range(policy.MAX_ATTEMPTS):
        services.deliveries_send_due(now=now)
        now += dt.timedelta(days=1)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == policy.MAX_ATTEMPTS
    assert any("Gave up sending release" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert services.deliveries_send_due(now=now + dt.timedelta(days=30)).sent == 0  # given up: no more tries
    client.force_login(cast.manager)
    response = client.post(f"/workspace/subscriptions/releases/{december.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT  # the queued task ran (immediate backend in tests)
    assert len(release_emails(mail.outbox)) == 1


@override_settings(EMAIL_BACKEND="safeguard.subscriptions.tests.backends.UnreachableBackend")
def test_an_unreachable_mail_server_means_retry_later(cast, manual, december, subscriber_of):
    subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    report = services.deliveries_send_due(now=at(CHRISTMAS))
    delivery = Delivery.objects.get()
    assert report.retrying == 1 and delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error


@override_settings(EMAIL_BACKEND="safeguard.subscriptions.tests.backends.DroppingBackend")
def test_a_connection_dropped_mid_message_is_unconfirmed_and_never_resent(cast, manual, december, subscriber_of):
    subscriber_of()
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    assert services.deliveries_send_due(now=at(CHRISTMAS)).unconfirmed == 1
    for days in (1, 10):
        services.deliveries_sweep(now=at(CHRISTMAS) + dt.timedelta(days=days))
        services.deliveries_send_due(now=at(CHRISTMAS) + dt.timedelta(days=days))
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.UNCONFIRMED and delivery.attempts == 1


@override_settings(EMAIL_BACKEND="safeguard.subscriptions.tests.backends.KillOnNthBackend")
def test_a_delivery_left_sending_by_a_killed_worker_is_not_resent_after_restart(cast, manual, december):
    KillOnNthBackend.kill_at, KillOnNthBackend.seen = 2, 0
    for n in range(3):
        SubscriberFactory(partnership=cast.partnership, email=f"p{n}@example.org", manuals=[manual])
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december)
    with pytest.raises(WorkerKilled):  # the worker dies while handing over the second e-mail
        services.deliveries_send_due(worker="dead-worker")
    states = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert states == {"p0@example.org": "sent", "p1@example.org": "sending", "p2@example.org": "claimed"}

    # "restart" within the lease: nothing is touched (the worker might only be slow) ...
    assert services.deliveries_recover() == (0, 0)
    assert services.deliveries_send_due(worker="new-worker").sent == 0
    # ... after it, the claimed one goes back to the queue and the one being sent becomes unconfirmed
    later = timezone.now() + policy.claim_lease() + dt.timedelta(seconds=1)
    assert services.deliveries_recover(now=later) == (1, 1)
    assert services.deliveries_send_due(now=later, worker="new-worker").sent == 1
    for days in (1, 2):
        services.deliveries_sweep(now=later + dt.timedelta(days=days))
        services.deliveries_send_due(now=later + dt.timedelta(days=days))
    states = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert states == {"p0@example.org": "sent", "p1@example.org": "unconfirmed", "p2@example.org": "sent"}
    received = sorted(m.to[0] for m in release_emails(mail.outbox))
    assert received == ["p0@example.org", "p2@example.org"]  # and p1 never gets it twice


def test_staff_decide_about_unconfirmed_emails(cast, manual, december, subscriber_of):
    a, b = subscriber_of(email="a@example.org"), subscriber_of(email="b@example.org")
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    Delivery.objects.update(status=DeliveryStatus.UNCONFIRMED, sending_at=at(CHRISTMAS))
    with pytest.raises(services.PermissionDenied):
        services.deliveries_resolve_unconfirmed(release=december, by=cast.read_only, decision=services.MARK_SENT)
    Delivery.objects.filter(subscriber=b).update(status=DeliveryStatus.SENT, sent_at=at(CHRISTMAS))
    assert services.deliveries_resolve_unconfirmed(release=december, by=cast.manager, decision=services.RESEND) == 1
    services.deliveries_send_due(now=LATER)
    assert [m.to for m in release_emails(mail.outbox)] == [["a@example.org"]]
    assert Delivery.objects.get(subscriber=a).message_id in release_emails(mail.outbox)[0].extra_headers["Message-ID"]
    Delivery.objects.filter(subscriber=a).update(status=DeliveryStatus.UNCONFIRMED)
    assert services.deliveries_resolve_unconfirmed(release=december, by=cast.manager, decision=services.MARK_SENT)
    assert Delivery.objects.get(subscriber=a).status == DeliveryStatus.SENT


def test_two_workers_never_claim_the_same_delivery(cast, manual, december):
    for n in range(5):
        SubscriberFactory(partnership=cast.partnership, email=f"p{n}@example.org", manuals=[manual])
    procedures.release_publish(release=december, now=at(CHRISTMAS))
    services.deliveries_create_for_release(release=december, now=at(CHRISTMAS))
    first = services.deliveries_claim(now=at(CHRISTMAS), worker="a", limit=3)
    second = services.deliveries_claim(now=at(CHRISTMAS), worker="b", limit=3)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)


def test_unconfirmed_signups_are_pruned_after_seven_days(cast, manual):
    old = SubscriberFactory(partnership=cast.partnership, status=SubscriberStatus.PENDING, confirmed_at=None)
    Subscriber.objects.filter(pk=old.pk).update(updated_at=at(CHRISTMAS) - dt.timedelta(days=8))
    fresh = SubscriberFactory(partnership=cast.partnership, status=SubscriberStatus.PENDING, confirmed_at=None)
    Subscriber.objects.filter(pk=fresh.pk).update(updated_at=at(CHRISTMAS) - dt.timedelta(days=6))
    confirmed = SubscriberFactory(partnership=cast.partnership)
    Subscriber.objects.filter(pk=confirmed.pk).update(updated_at=at(CHRISTMAS) - dt.timedelta(days=80))
    assert services.subscribers_prune(now=at(CHRISTMAS)) == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}


def test_jobs_are_scheduled():
    assert "safeguard.subscriptions.tasks.sweep_release_emails" in scheduler.REGISTRY
    assert "safeguard.subscriptions.tasks.prune_subscribers" in scheduler.REGISTRY


def test_factories_build_valid_records(cast):
    from safeguard.subscriptions.testing import harness_objects

    objects = harness_objects(cast, cast.partnership)
    for obj in objects.values():
        obj.full_clean()
    assert Manual.objects.filter(partnership=cast.partnership).exists()
