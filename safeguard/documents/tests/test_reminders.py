"""Review reminders: 30 days before the review date and once it has passed, each sent once per
document, review date and stage however often the job runs. Time is fixed with ``now=``."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from safeguard.core.scheduler import REGISTRY
from safeguard.documents import services
from safeguard.documents.choices import ReminderStage
from safeguard.documents.models import ReviewReminder
from safeguard.documents.testing import make_document, owner_for

TODAY = dt.date(2026, 6, 1)
NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def owner(cast):
    return owner_for(cast.partnership, given_name="Olu", family_name="Owner", email="olu.owner@testshire.example")


def test_it_reminds_the_owner_30_days_before_the_review_date(cast, owner):
    document = make_document(cast.partnership, title="Escalation policy", owner=owner, review_date=dt.date(2026, 7, 1))
    mail.outbox.clear()
    sent = services.review_reminders_send(now=NOW)
    assert [(r.document, r.stage) for r in sent] == [(document, ReminderStage.DUE_SOON)]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olu.owner@testshire.example", cast.partnership.email]
    assert message.subject == "Review due by 1 July 2026: Escalation policy"
    assert "in 30 days" in message.body
    assert f"/workspace/documents/{document.pk}/" in message.body


def test_it_does_not_remind_too_early_or_about_archived_documents(cast, owner):
    make_document(cast.partnership, owner=owner, review_date=dt.date(2026, 7, 2))
    archived = make_document(cast.partnership, owner=owner, review_date=dt.date(2026, 5, 1))
    services.document_archive(document=archived, by=None, expected_version=archived.version)
    mail.outbox.clear()
    assert services.review_reminders_send(now=NOW) == []
    assert mail.outbox == []


def test_it_never_sends_the_same_reminder_twice(cast, owner):
    make_document(cast.partnership, owner=owner, review_date=dt.date(2026, 6, 20))
    mail.outbox.clear()
    for hour in range(5):  # the job runs hourly, and a restarted worker runs it again
        services.review_reminders_send(now=NOW + dt.timedelta(hours=hour))
    services.review_reminders_send(now=_at(dt.date(2026, 6, 19)))
    assert len(mail.outbox) == 1
    assert ReviewReminder.objects.count() == 1


def test_overdue_is_a_second_reminder_sent_once(cast, owner):
    document = make_document(
        cast.partnership, title="Threshold document", owner=owner, review_date=dt.date(2026, 6, 20)
    )
    mail.outbox.clear()
    services.review_reminders_send(now=NOW)
    services.review_reminders_send(now=_at(dt.date(2026, 6, 20)))  # due today: not yet overdue
    services.review_reminders_send(now=_at(dt.date(2026, 6, 21)))
    services.review_reminders_send(now=_at(dt.date(2026, 7, 15)))
    assert [m.subject for m in mail.outbox] == [
        "Review due by 20 June 2026: Threshold document",
        "Review overdue: Threshold document",
    ]
    assert "1 day ago" in mail.outbox[1].body
    assert set(document.reminders.values_list("stage", flat=True)) == {"due_soon", "overdue"}


def test_a_new_review_date_starts_the_reminders_again(cast, owner):
    document = make_document(cast.partnership, owner=owner, review_date=dt.date(2026, 6, 10))
    services.review_reminders_send(now=NOW)
    services.document_update(
        document=document, by=None, expected_version=document.version, review_date=TODAY.replace(month=12)
    )
    mail.outbox.clear()
    services.review_reminders_send(now=_at(dt.date(2026, 11, 15)))
    assert len(mail.outbox) == 1
    assert document.reminders.count() == 2


def test_an_already_overdue_document_gets_only_the_overdue_reminder(cast, owner):
    make_document(cast.partnership, owner=owner, review_date=dt.date(2026, 1, 1))
    mail.outbox.clear()
    sent = services.review_reminders_send(now=NOW)
    assert [r.stage for r in sent] == [ReminderStage.OVERDUE]
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_duplicate_reminder(cast, owner):
    document = make_document(cast.partnership, owner=owner)
    ReviewReminder.objects.create(document=document, review_date=document.review_date, stage="overdue", sent_at=NOW)
    with pytest.raises(IntegrityError):
        ReviewReminder.objects.create(document=document, review_date=document.review_date, stage="overdue", sent_at=NOW)


def test_the_job_is_scheduled():
    import safeguard.documents.tasks  # noqa: F401 - the worker autodiscovers it the same way

    job = REGISTRY["safeguard.documents.tasks.send_review_reminders"]
    assert job.every == dt.timedelta(hours=1)
