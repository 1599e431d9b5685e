"""The public journey: subscribe, confirm (double opt-in), manage, unsubscribe (page and one-click)."""

import datetime as dt
import logging
import re
import time

import pytest
from django.core import mail, signing
from django.db.models import F
from django.test import Client

from safeguard.procedures.models import Manual
from safeguard.subscriptions import tokens
from safeguard.subscriptions.choices import SubscriberStatus
from safeguard.subscriptions.models import ConfirmationSent, Subscriber

from .helpers import confirmation_emails, link, release_emails

pytestmark = pytest.mark.django_db

EMAIL = "Alex.Practitioner@Example.org "
NORMALISED = "alex.practitioner@example.org"


def _subscribe(client, cast, manual, email=EMAIL, manuals=None):
    return client.post(
        f"/{cast.partnership.slug}/updates/",
        {"email": email, "manuals": [m.pk for m in (manuals or [manual])]},
    )


def _confirm_link(to=NORMALISED):
    return link(confirmation_emails(mail.outbox, to)[-1].body, "/confirm/")


def test_the_subscribe_page_offers_the_manuals_the_site_publishes(client, cast, manual):
    other = Manual.objects.create(partnership=cast.other_partnership, title="Southvale Procedures", slug="svp")
    body = client.get(f"/{cast.partnership.slug}/updates/").content.decode()
    assert "Child Protection Procedures" in body and "Southvale Procedures" not in body
    other.adopted_by.add(cast.partnership)
    assert "Southvale Procedures" in client.get(f"/{cast.partnership.slug}/updates/").content.decode()


def test_it_asks_to_confirm_and_sends_no_release_email_before_confirming(client, cast, manual, december, go_live):
    response = _subscribe(client, cast, manual)
    assert response.status_code == 302
    assert response["Location"] == f"/{cast.partnership.slug}/updates/check-your-email/"
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    (message,) = confirmation_emails(mail.outbox)
    assert message.to == [NORMALISED]
    assert "Child Protection Procedures" in message.body
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING and subscriber.email == NORMALISED

    go_live(december)
    assert release_emails(mail.outbox) == []


def test_confirming_takes_a_button_press_then_release_emails_arrive(client, cast, manual, december, go_live):
    _subscribe(client, cast, manual)
    confirm = _confirm_link()
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirm subscription" in page.content.decode()
    assert (
        Subscriber.objects.get().status == SubscriberStatus.PENDING
    )  # a mail scanner opening the link confirms nothing
    done = client.post(confirm)
    assert done.status_code == 302 and "/subscribed/" in done["Location"]
    subscribed = client.get(done["Location"]).content.decode()
    assert "You are subscribed" in subscribed and "/manage/" in subscribed
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED

    go_live(december)
    (message,) = release_emails(mail.outbox)
    assert message.to == [NORMALISED]


def test_an_expired_confirmation_link_is_refused_with_a_clear_page(client, cast, manual, monkeypatch):
    _subscribe(client, cast, manual)
    subscriber = Subscriber.objects.get()
    eight_days_ago = time.time() - dt.timedelta(days=8).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    token = tokens.confirmation_token(subscriber_id=subscriber.pk, manual_ids=[manual.pk])
    monkeypatch.undo()
    for method in (client.get, client.post):
        response = method(f"/{cast.partnership.slug}/updates/confirm/{token}/")
        assert response.status_code == 400
        assert "This link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_a_tampered_confirmation_link_is_refused(client, cast, manual):
    _subscribe(client, cast, manual)
    confirm = _confirm_link()
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"s": Subscriber.objects.get().pk, "m": [manual.pk]}, key="not-our-key", salt="x")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged):
        response = client.post(f"/{cast.partnership.slug}/updates/confirm/{bad}/")
        assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_a_manage_token_cannot_confirm(client, cast, manual):
    _subscribe(client, cast, manual)
    token = tokens.manage_token(subscriber_id=Subscriber.objects.get().pk)
    assert client.post(f"/{cast.partnership.slug}/updates/confirm/{token}/").status_code == 400


def test_resubscribing_reveals_nothing_and_changes_nothing_until_confirmed(client, cast, manual, subscriber_of):
    second = Manual.objects.create(partnership=cast.partnership, title="Toolkits", slug="toolkits")
    subscriber_of(email=NORMALISED)
    known = _subscribe(client, cast, manual, manuals=[second])
    unknown = _subscribe(client, cast, manual, email="someone.else@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    subscriber = Subscriber.objects.get(email=NORMALISED)
    assert list(subscriber.manuals.all()) == [manual]  # not changed by someone typing the address
    client.post(_confirm_link())
    assert list(subscriber.manuals.all()) == [second]  # the owner of the address confirmed the change


def _age_confirmations(minutes=3):
    ConfirmationSent.objects.update(sent_at=F("sent_at") - dt.timedelta(minutes=minutes))


def test_confirmation_emails_are_rate_limited_per_address(client, cast, manual):
    _subscribe(client, cast, manual)
    _subscribe(client, cast, manual)  # straight away: no second e-mail
    assert len(confirmation_emails(mail.outbox)) == 1
    _age_confirmations()
    _subscribe(client, cast, manual)
    assert len(confirmation_emails(mail.outbox)) == 2
    _age_confirmations()
    manual.adopted_by.add(cast.other_partnership)  # the limit is per address, whatever the site
    client.post(f"/{cast.other_partnership.slug}/updates/", {"email": EMAIL, "manuals": [manual.pk]})
    assert len(confirmation_emails(mail.outbox)) == 3
    _age_confirmations()
    assert _subscribe(client, cast, manual).status_code == 302  # same answer, but no fourth e-mail today
    assert len(confirmation_emails(mail.outbox)) == 3
    _age_confirmations(minutes=24 * 60)
    _subscribe(client, cast, manual)
    assert len(confirmation_emails(mail.outbox)) == 4


def test_the_form_keeps_what_was_typed_on_error(client, cast, manual):
    second = Manual.objects.create(partnership=cast.partnership, title="Toolkits", slug="toolkits")
    response = client.post(f"/{cast.partnership.slug}/updates/", {"email": "not an address", "manuals": [second.pk]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter an e-mail address in the correct format" in body and "There is a problem" in body
    assert 'value="not an address"' in body
    assert re.search(rf'value="{second.pk}"\s*checked', body)
    missing = client.post(f"/{cast.partnership.slug}/updates/", {"email": NORMALISED}).content.decode()
    assert "Select the procedures you want to hear about" in missing and f'value="{NORMALISED}"' in missing
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_a_manual_the_site_does_not_publish_cannot_be_chosen(client, cast, manual):
    other = Manual.objects.create(partnership=cast.other_partnership, title="Southvale Procedures", slug="svp")
    response = client.post(f"/{cast.partnership.slug}/updates/", {"email": NORMALISED, "manuals": [other.pk]})
    assert response.status_code == 200 and Subscriber.objects.count() == 0


def test_csrf_applies_to_the_subscribe_form(cast, manual):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/{cast.partnership.slug}/updates/", {"email": NORMALISED, "manuals": [manual.pk]})
    assert response.status_code == 403


def _confirmed(client, cast, manual):
    _subscribe(client, cast, manual)
    done = client.post(_confirm_link())
    return done["Location"].rstrip("/").rsplit("/", 1)[1]  # the manage token


def test_manage_page_changes_the_manuals(client, cast, manual):
    second = Manual.objects.create(partnership=cast.partnership, title="Toolkits", slug="toolkits")
    token = _confirmed(client, cast, manual)
    url = f"/{cast.partnership.slug}/updates/manage/{token}/"
    assert "Manage your subscription" in client.get(url).content.decode()
    assert "Select the procedures" in client.post(url, {}).content.decode()  # at least one, or unsubscribe
    response = client.post(url, {"manuals": [manual.pk, second.pk]}, follow=True)
    assert "Your choices have been saved" in response.content.decode()
    assert set(Subscriber.objects.get().manuals.all()) == {manual, second}


def test_unsubscribe_by_get_then_post_erases_the_address(client, cast, manual, december, go_live):
    token = _confirmed(client, cast, manual)
    url = f"/{cast.partnership.slug}/updates/unsubscribe/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe from Northdale Test Partnership procedures" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED  # GET changes nothing
    response = client.post(url)
    assert response["Location"] == f"/{cast.partnership.slug}/updates/unsubscribed/"
    assert "You have unsubscribed" in client.get(response["Location"]).content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.email is None
    assert client.get(url).status_code == 302  # following the link again: already unsubscribed
    go_live(december)
    assert release_emails(mail.outbox) == []


def test_one_click_unsubscribe_by_post_without_csrf_or_cookies(cast, manual, subscriber_of):
    subscriber = subscriber_of()
    token = tokens.manage_token(subscriber_id=subscriber.pk)
    url = f"/{cast.partnership.slug}/updates/unsubscribe/{token}/one-click/"
    mail_client = Client(enforce_csrf_checks=True)
    assert mail_client.post(url, {}).status_code == 400  # not a one-click request
    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert mail_client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent
    assert Client().get(url)["Location"] == f"/{cast.partnership.slug}/updates/unsubscribe/{token}/"


def test_a_tampered_unsubscribe_link_is_refused(client, cast, manual, subscriber_of):
    subscriber = subscriber_of()
    forged = signing.dumps({"s": subscriber.pk}, key="not-our-key", salt="safeguard.subscriptions.manage")
    for path in (f"unsubscribe/{forged}/", f"manage/{forged}/", f"unsubscribe/{forged}x/"):
        response = client.post(f"/{cast.partnership.slug}/updates/{path}")
        assert response.status_code == 400
    assert (
        Client()
        .post(f"/{cast.partnership.slug}/updates/unsubscribe/{forged}/one-click/", {"List-Unsubscribe": "One-Click"})
        .status_code
        == 400
    )
    # a genuine link used on another partnership's site does not work either
    token = tokens.manage_token(subscriber_id=subscriber.pk)
    assert client.post(f"/{cast.other_partnership.slug}/updates/unsubscribe/{token}/").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_no_email_address_in_any_url_or_log(client, cast, manual, december, go_live, caplog):
    caplog.set_level(logging.DEBUG)
    visited = []
    response = _subscribe(client, cast, manual)
    visited.append(response["Location"])
    confirm = _confirm_link()
    visited.append(confirm)
    done = client.post(confirm)
    visited.append(done["Location"])
    go_live(december)
    (message,) = release_emails(mail.outbox)
    html = message.alternatives[0][0]
    urls = re.findall(r"https?://[^\s\"<>]+", message.body + html + message.extra_headers["List-Unsubscribe"])
    urls += re.findall(r"https?://\S+", confirmation_emails(mail.outbox)[0].body)
    assert len(urls) >= 5
    for url in visited + urls:
        assert "@" not in url and "alex" not in url.lower(), url
    for record in caplog.records:
        assert "alex" not in record.getMessage().lower(), record.getMessage()
