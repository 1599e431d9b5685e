import pytest
from django.core.management import call_command

from safeguard.subscriptions.choices import DeliveryStatus, SubscriberStatus
from safeguard.subscriptions.demo import load_demo_subscriptions
from safeguard.subscriptions.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_subscribers_are_synthetic_loading_twice_adds_nothing_and_a_demo_update_reaches_them(
    settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.DEMO_MODE = True
    call_command("load_demo_data", quiet_logins=True)  # loads the demo subscribers too
    assert Subscriber.objects.exists() and Delivery.objects.exists()
    counts = (Subscriber.objects.count(), Delivery.objects.count())
    assert load_demo_subscriptions() == 0
    assert (Subscriber.objects.count(), Delivery.objects.count()) == counts
    emails = [e for e in Subscriber.objects.values_list("email", flat=True) if e]
    assert emails and all(e.endswith("@example.org") for e in emails)
    assert Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).count() >= 6
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED} <= statuses

    # an update published after the demo subscribers confirmed reaches them (one e-mail per site)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_demo_update")
    subjects = {m.subject for m in mail.outbox}
    assert any(s.startswith("Northdale procedures:") for s in subjects)
    assert any(s.startswith("Eastmoor and Westbrook procedures:") for s in subjects)


def test_publish_demo_update_is_refused_outside_demo_mode(settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("publish_demo_update")
