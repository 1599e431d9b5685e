"""The business unit's pages: counts for everyone, addresses and decisions for those who manage."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.subscriptions.choices import DeliveryStatus, SubscriberStatus
from safeguard.subscriptions.models import Subscriber
from safeguard.subscriptions.testing import DeliveryFactory, SubscriberFactory, published_release

pytestmark = pytest.mark.django_db
SERIAL = itertools.count()


def _population(cast, release, n: int):
    for i in range(n):  # half sent, half failed
        subscriber = SubscriberFactory(
            partnership=cast.partnership,
            email=f"person{release.pk}-{next(SERIAL)}@example.org",
            manuals=[release.manual],
        )
        DeliveryFactory(
            release=release, subscriber=subscriber, status=[DeliveryStatus.SENT, DeliveryStatus.FAILED][i % 2]
        )
    SubscriberFactory(partnership=cast.partnership, status=SubscriberStatus.PENDING, confirmed_at=None)


def test_the_overview_counts_subscribers_and_emails_without_addresses(client, cast):
    release = published_release(partnership=cast.partnership)
    _population(cast, release, 4)
    client.force_login(cast.read_only)
    body = client.get("/workspace/subscriptions/").content.decode()
    assert "Child Protection Procedures" in body and "December 2026" in body
    assert "@example.org" not in body and "See subscribers" not in body
    assert client.get("/workspace/subscriptions/subscribers/").status_code == 403
    page = client.get(f"/workspace/subscriptions/releases/{release.pk}/").content.decode()
    assert "@example.org" not in page and "Subscriber " in page and "Retry failed" not in page


def test_managers_see_addresses_and_can_retry(client, cast):
    release = published_release(partnership=cast.partnership)
    _population(cast, release, 2)
    client.force_login(cast.manager)
    page = client.get(f"/workspace/subscriptions/releases/{release.pk}/").content.decode()
    failed = release.deliveries.get(status=DeliveryStatus.FAILED).subscriber.email
    assert failed in page and "Retry failed e-mails" in page
    listing = client.get("/workspace/subscriptions/subscribers/?q=person").content.decode()
    assert failed in listing


def test_another_partnerships_subscribers_are_not_listed(client, cast):
    SubscriberFactory(partnership=cast.other_partnership, email="southvale.only@example.org")
    client.force_login(cast.manager)
    assert "southvale.only" not in client.get("/workspace/subscriptions/subscribers/").content.decode()


def test_staff_can_end_a_subscription(client, cast):
    subscriber = SubscriberFactory(partnership=cast.partnership, email="asked.by.phone@example.org")
    client.force_login(cast.manager)
    url = f"/workspace/subscriptions/subscribers/{subscriber.pk}/unsubscribe/"
    assert "asked.by.phone@example.org" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.email is None


def test_unconfirmed_decision_form_keeps_the_choice_and_says_what_is_missing(client, cast):
    release = published_release(partnership=cast.partnership)
    subscriber = SubscriberFactory(partnership=cast.partnership, manuals=[release.manual])
    DeliveryFactory(release=release, subscriber=subscriber, status=DeliveryStatus.UNCONFIRMED)
    client.force_login(cast.manager)
    url = f"/workspace/subscriptions/releases/{release.pk}/unconfirmed/"
    assert "Choose whether to record them as sent" in client.post(url, {}).content.decode()
    assert client.post(url, {"decision": "mark_sent"}).status_code == 302
    assert subscriber.deliveries.get().status == DeliveryStatus.SENT


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/workspace/subscriptions/", "/workspace/subscriptions/subscribers/", "release", "retry"]
)
def test_query_count_does_not_grow_with_rows(client, cast, url):
    release = published_release(partnership=cast.partnership)
    second = published_release(partnership=cast.partnership, title="January 2027", slug="other")
    target = {"release": f"/workspace/subscriptions/releases/{release.pk}/"}.get(url, url)
    if url == "retry":
        target = f"/workspace/subscriptions/releases/{release.pk}/retry/"
    _population(cast, release, 2)
    client.force_login(cast.manager)
    few = _queries(client, target)
    _population(cast, release, 12)
    _population(cast, second, 6)
    assert _queries(client, target) == few
    assert Subscriber.objects.count() > 20
