"""Reminders, chases and escalations: when each goes, to whom, what it says, and that each automatic
one goes exactly once, whatever restarts (time is fixed by passing ``now``, as everywhere in the
project: see safeguard/subscriptions/tests)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.utils import timezone

from safeguard.core import scheduler
from safeguard.core.roles import Role
from safeguard.core.testing import AgencyFactory, PartnershipFactory, PersonFactory, UserFactory
from safeguard.partnerships.models import RoleAssignment
from safeguard.returns import chasing, tasks
from safeguard.returns.choices import EmailStage, EmailStatus, ReturnStatus
from safeguard.returns.models import EscalationContact, ReturnEmail
from safeguard.returns.testing import (
    AgencyReturnFactory,
    DataSetSettingsFactory,
    ManualIndicatorFactory,
    QuarterFactory,
    ReturnValueFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
LEASE = dt.timedelta(seconds=300)


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


SINCE_2020 = D(2020, 1, 1)


def lead(partnership, agency, email: str, *, start=SINCE_2020, end=None, active=True):
    user = UserFactory(email=email, is_active=active)
    RoleAssignment.objects.create(
        user=user, partnership=partnership, role=Role.AGENCY_DATA_LEAD, agency=agency, start_date=start, end_date=end
    )
    return user


@pytest.fixture
def setup():
    """A quarter (April to June 2025, due Wednesday 30 July 2025) and the police's return for it,
    with two current data leads, one former one, an inactive one and another agency's."""
    partnership = PartnershipFactory(name="Northdale Safeguarding Children Partnership", email="bu@northdale.test")
    DataSetSettingsFactory(partnership=partnership)  # 7 days before, 1 and 10 working days after
    police = AgencyFactory(partnership=partnership, name="Northdale Police")
    health = AgencyFactory(partnership=partnership, name="Northdale Health")
    lead(partnership, police, "lead.one@police.test")
    lead(partnership, police, "lead.two@police.test")
    lead(partnership, police, "former@police.test", end=D(2025, 1, 31))
    lead(partnership, police, "inactive@police.test", active=False)
    lead(partnership, health, "lead@health.test")
    quarter = QuarterFactory(partnership=partnership, start=D(2025, 4, 1))
    ManualIndicatorFactory(partnership=partnership, agency=police, title="Referrals for child sexual exploitation")
    filled = ManualIndicatorFactory(partnership=partnership, agency=police, title="Missing episodes")
    agency_return = AgencyReturnFactory(partnership=partnership, agency=police, period=quarter)
    ReturnValueFactory(agency_return=agency_return, indicator=filled, value=40)
    return agency_return


def emails_about(outbox, agency_return):
    return [m for m in outbox if f"return for {agency_return.period.label}" in m.subject]


# --- When and to whom ----------------------------------------------------------------------------


def test_it_reminds_the_current_data_leads_seven_days_before_the_due_date(setup, settings):
    settings.SITE_URL = "https://safeguard.example.org"
    assert setup.due_date == D(2025, 7, 30)
    chasing.chasing_run(now=at(D(2025, 7, 22)))
    assert mail.outbox == []
    report = chasing.chasing_run(now=at(D(2025, 7, 23)))
    assert report.sent == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["lead.one@police.test", "lead.two@police.test"]
    assert message.cc == []
    assert message.subject == "Reminder: Northdale Police return for 2025-26 Q1 is due on Wednesday 30 July 2025"
    body = message.body
    assert "1 April 2025 to 30 June 2025" in body
    assert f"https://safeguard.example.org/workspace/returns/{setup.pk}/" in body
    assert "Still to fill in: 1 of 2 figures" in body
    assert "- Referrals for child sexual exploitation" in body and "Missing episodes" not in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="https://safeguard.example.org/workspace/returns/{setup.pk}/"' in html
    assert message.reply_to == ["bu@northdale.test"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    email = ReturnEmail.objects.get()
    assert (email.stage, email.status, email.recipients) == (EmailStage.REMINDER, EmailStatus.SENT, 2)
    assert message.extra_headers["Message-ID"] == chasing.message_id(email)


def test_no_reminder_goes_once_the_due_date_has_passed(setup):
    chasing.chasing_run(now=at(D(2025, 7, 31), hour=0))  # the chase is due on the 31st: that goes instead
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Overdue"]
    assert not ReturnEmail.objects.filter(stage=EmailStage.REMINDER).exists()


def test_it_chases_a_working_day_after_the_due_date_skipping_christmas(setup):
    settings_row = setup.partnership.dataset_settings
    settings_row.reminder_days_before = 0
    settings_row.save()
    setup.due_date = D(2025, 12, 24)  # Christmas Eve, a Wednesday
    setup.save()
    for day in (D(2025, 12, 24), D(2025, 12, 25), D(2025, 12, 26), D(2025, 12, 27), D(2025, 12, 28)):
        chasing.chasing_run(now=at(day))
    assert mail.outbox == []  # bank holidays and the weekend are not working days
    chasing.chasing_run(now=at(D(2025, 12, 29)))
    (message,) = mail.outbox
    assert message.subject == "Overdue: Northdale Police return for 2025-26 Q1 was due on Wednesday 24 December 2025"
    assert "has not been submitted yet" in message.body


def test_the_second_chase_is_copied_to_the_escalation_contact(setup):
    contact = PersonFactory(
        partnership=setup.partnership, given_name="Sam", family_name="Senior", email="sam.senior@police.test"
    )
    EscalationContact.objects.create(partnership=setup.partnership, agency=setup.agency, person=contact)
    chasing.chasing_run(now=at(D(2025, 7, 31)))  # the chase
    chasing.chasing_run(now=at(D(2025, 8, 12)))  # nine working days after: nothing new
    assert len(mail.outbox) == 1 and mail.outbox[0].cc == []
    chasing.chasing_run(now=at(D(2025, 8, 13)))  # ten working days after the due date
    escalation = mail.outbox[1]
    assert escalation.subject == "Second reminder: Northdale Police return for 2025-26 Q1 is overdue"
    assert sorted(escalation.to) == ["lead.one@police.test", "lead.two@police.test"]
    assert escalation.cc == ["sam.senior@police.test"]
    assert "copied to Sam Senior, the Northdale Police escalation contact" in escalation.body
    assert ReturnEmail.objects.get(stage=EmailStage.ESCALATION).recipients == 3


def test_after_a_gap_only_the_latest_stage_due_is_sent(setup):
    chasing.chasing_run(now=at(D(2025, 8, 14)))  # the worker was down from before the reminder
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Second reminder"]
    assert list(ReturnEmail.objects.values_list("stage", flat=True)) == [EmailStage.ESCALATION]
    chasing.chasing_run(now=at(D(2025, 8, 15)))
    assert len(mail.outbox) == 1


def test_stages_long_past_are_left_to_the_business_unit(setup):
    chasing.chasing_run(now=at(D(2025, 10, 1)))  # the escalation was due on 13 August
    assert mail.outbox == [] and not ReturnEmail.objects.exists()


@pytest.mark.parametrize("status", [ReturnStatus.SUBMITTED, ReturnStatus.REOPENED])
def test_submitted_and_reopened_returns_are_not_chased_automatically(setup, status):
    setup.status = status
    setup.submitted_at = at(D(2025, 7, 20))
    setup.save()
    for day in (D(2025, 7, 23), D(2025, 7, 31), D(2025, 8, 13)):
        chasing.chasing_run(now=at(day))
    assert mail.outbox == []


# --- Exactly once ---------------------------------------------------------------------------------


def test_running_the_job_again_the_same_day_or_later_sends_nothing_more(setup):
    for _ in range(3):
        chasing.chasing_run(now=at(D(2025, 7, 23)))
    chasing.chasing_run(now=at(D(2025, 7, 24)))
    chasing.chasing_run(now=at(D(2025, 7, 29)))
    assert len(emails_about(mail.outbox, setup)) == 1
    assert ReturnEmail.objects.count() == 1


def test_a_claim_left_unsent_by_a_stopped_worker_is_sent_once_by_the_next_runs(setup):
    """The worker claimed the reminder (committed) and stopped before calling the mail server."""
    claim = chasing.return_email_claim(agency_return=setup, stage=EmailStage.REMINDER)
    assert chasing.return_email_claim(agency_return=setup, stage=EmailStage.REMINDER) is None  # taken
    assert mail.outbox == []
    now = at(D(2025, 7, 23), hour=8)
    chasing.chasing_run(now=now)  # the restarted worker
    chasing.chasing_run(now=now + dt.timedelta(minutes=1))  # and the job run twice
    assert len(mail.outbox) == 1
    claim.refresh_from_db()
    assert claim.status == EmailStatus.SENT and claim.attempts == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the sender catches it."""


class KilledWhileSendingBackend(EmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled()


class RefusingOnceBackend(EmailBackend):
    refused = 0

    def send_messages(self, messages):
        if RefusingOnceBackend.refused == 0:
            RefusingOnceBackend.refused += 1
            raise smtplib.SMTPRecipientsRefused({"lead.one@police.test": (550, b"5.1.1 lead.one@police.test unknown")})
        return super().send_messages(messages)


class DroppingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_worker_killed_while_sending_leaves_the_email_unconfirmed_and_never_sends_it_again(setup):
    now = at(D(2025, 7, 23))
    with (
        override_settings(EMAIL_BACKEND="safeguard.returns.tests.test_chasing.KilledWhileSendingBackend"),
        pytest.raises(WorkerKilled),
    ):
        chasing.chasing_run(now=now)
    email = ReturnEmail.objects.get()
    assert email.status == EmailStatus.SENDING  # handed to the server: nobody knows what happened
    chasing.chasing_run(now=now + dt.timedelta(minutes=1))  # within the lease: left alone
    email.refresh_from_db()
    assert email.status == EmailStatus.SENDING
    report = chasing.chasing_run(now=now + LEASE + dt.timedelta(seconds=1))
    email.refresh_from_db()
    assert email.status == EmailStatus.UNCONFIRMED and report.unconfirmed == 1
    chasing.chasing_run(now=at(D(2025, 7, 24)))
    chasing.chasing_run(now=at(D(2025, 7, 25)))
    assert mail.outbox == []  # never re-sent automatically: the business unit decides


def test_a_refused_email_is_retried_by_the_next_run_and_sent_once(setup, caplog):
    RefusingOnceBackend.refused = 0
    caplog.set_level(logging.INFO)
    with override_settings(EMAIL_BACKEND="safeguard.returns.tests.test_chasing.RefusingOnceBackend"):
        chasing.chasing_run(now=at(D(2025, 7, 23)))
        email = ReturnEmail.objects.get()
        assert email.status == EmailStatus.FAILED
        assert email.error == "The mail server refused the recipients (SMTP 550)."
        chasing.chasing_run(now=at(D(2025, 7, 24)))
        chasing.chasing_run(now=at(D(2025, 7, 24), hour=9))
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert len(mail.outbox) == 1
    assert "@" not in caplog.text  # no address in any log line


def test_a_connection_dropped_mid_message_is_unconfirmed_and_not_retried(setup):
    with override_settings(EMAIL_BACKEND="safeguard.returns.tests.test_chasing.DroppingBackend"):
        chasing.chasing_run(now=at(D(2025, 7, 23)))
    assert ReturnEmail.objects.get().status == EmailStatus.UNCONFIRMED
    chasing.chasing_run(now=at(D(2025, 7, 24)))
    assert mail.outbox == []


def test_without_a_data_lead_it_fails_with_a_reason_until_one_is_added(setup):
    RoleAssignment.objects.filter(agency=setup.agency).delete()
    chasing.chasing_run(now=at(D(2025, 7, 23)))
    email = ReturnEmail.objects.get()
    assert email.status == EmailStatus.FAILED and "no current data lead" in email.error
    lead(setup.partnership, setup.agency, "new.lead@police.test")
    chasing.chasing_run(now=at(D(2025, 7, 24)))
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and mail.outbox[0].to == ["new.lead@police.test"]


def test_a_claim_left_before_the_return_was_submitted_is_cancelled(setup):
    claim = chasing.return_email_claim(agency_return=setup, stage=EmailStage.REMINDER)
    setup.status = ReturnStatus.SUBMITTED
    setup.submitted_at = at(D(2025, 7, 23), hour=6)
    setup.save()
    chasing.chasing_run(now=at(D(2025, 7, 23)))
    claim.refresh_from_db()
    assert claim.status == EmailStatus.CANCELLED and mail.outbox == []


def test_the_daily_job_is_scheduled_and_runs_through_the_task_worker(setup):
    job = scheduler.REGISTRY[f"{tasks.__name__}.send_return_reminders"]
    assert job.every == dt.timedelta(days=1) and job.task is tasks.send_return_reminders
    result = tasks.send_return_reminders.enqueue()  # the test settings run tasks at once
    assert result.status == "SUCCESSFUL" and result.return_value == 0  # nothing is due today (2026 and later)


def test_logs_name_no_one(setup, caplog):
    caplog.set_level(logging.DEBUG, logger="safeguard.returns")
    for day in (D(2025, 7, 23), D(2025, 7, 31), D(2025, 8, 13)):
        chasing.chasing_run(now=at(day))
    assert len(mail.outbox) == 3
    assert "@" not in caplog.text and "Police" not in caplog.text


# --- By hand ----------------------------------------------------------------------------------------


@pytest.fixture
def manager(setup):
    user = UserFactory(email="manager@northdale.test", first_name="Mina", last_name="Manager")
    RoleAssignment.objects.create(
        user=user, partnership=setup.partnership, role=Role.BUSINESS_MANAGER, start_date=D(2020, 1, 1)
    )
    return user


def test_the_business_unit_can_chase_by_hand_as_often_as_needed(setup, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = chasing.return_chase_by_hand(agency_return=setup, by=manager)
    email.refresh_from_db()
    assert (email.stage, email.status, email.sent_by) == (EmailStage.MANUAL, EmailStatus.SENT, manager)
    (message,) = mail.outbox
    assert message.subject == "Please complete the Northdale Police return for 2025-26 Q1"
    assert "Auto-Submitted" not in message.extra_headers
    with pytest.raises(ValidationError, match="last 10 minutes"):
        chasing.return_chase_by_hand(agency_return=setup, by=manager)
    ReturnEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        chasing.return_chase_by_hand(agency_return=setup, by=manager)
    assert len(mail.outbox) == 2
    assert ReturnEmail.objects.filter(stage=EmailStage.MANUAL, status=EmailStatus.SENT).count() == 2


def test_a_chase_by_hand_whose_task_was_lost_is_sent_by_the_daily_run(setup, manager):
    email = chasing.return_chase_by_hand(agency_return=setup, by=manager)  # on-commit task never runs here
    chasing.chasing_run(now=timezone.now())
    assert ReturnEmail.objects.get(pk=email.pk).status == EmailStatus.CLAIMED  # the task may still come
    chasing.chasing_run(now=timezone.now() + LEASE + dt.timedelta(seconds=1))
    assert ReturnEmail.objects.get(pk=email.pk).status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_only_the_business_unit_chases_and_never_a_submitted_return(setup, manager):
    board = UserFactory()
    RoleAssignment.objects.create(
        user=board, partnership=setup.partnership, role=Role.BOARD_MEMBER, start_date=D(2020, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        chasing.return_chase_by_hand(agency_return=setup, by=board)
    setup.status = ReturnStatus.SUBMITTED
    setup.submitted_at = timezone.now()
    setup.save()
    with pytest.raises(ValidationError, match="submitted"):
        chasing.return_chase_by_hand(agency_return=setup, by=manager)


# --- Pages ------------------------------------------------------------------------------------------


def test_the_chase_page_says_who_gets_it_and_sends_it(client, setup, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    url = f"/workspace/data-set/returns/{setup.pk}/chase/"
    page = client.get(url).content.decode()
    assert "2 data leads of Northdale Police" in page
    assert "1 of 2 figures" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/data-set/chasing/?partnership={setup.partnership_id}"
    assert len(mail.outbox) == 1
    chasing_page = client.get(response["Location"]).content.decode()
    assert "Chase sent by the business unit: sent" in chasing_page


def test_the_chasing_page_shows_emails_that_need_a_decision(client, setup, manager):
    with override_settings(EMAIL_BACKEND="safeguard.returns.tests.test_chasing.DroppingBackend"):
        chasing.chasing_run(now=at(D(2025, 7, 23)))
    client.force_login(manager)
    page = client.get("/workspace/data-set/chasing/").content.decode()
    assert 'data-testid="attention-table"' in page
    assert "It is not sent again automatically" in page


def test_another_partnerships_manager_gets_404_and_a_board_member_403(client, setup, cast):
    client.force_login(cast.other_manager)
    assert client.get(f"/workspace/data-set/returns/{setup.pk}/chase/").status_code == 404
    assert client.post(f"/workspace/data-set/returns/{setup.pk}/chase/").status_code == 404
    assert client.get(f"/workspace/data-set/agencies/{setup.agency_id}/escalation-contact/").status_code == 404
    client.force_login(cast.board_member)
    assert client.get("/workspace/data-set/chasing/").status_code == 403
    assert mail.outbox == []


def test_the_business_unit_sets_and_removes_an_escalation_contact(client, setup, manager):
    person = PersonFactory(partnership=setup.partnership, email="sam@police.test", agency=setup.agency)
    no_email = PersonFactory(partnership=setup.partnership, email="")
    stranger = PersonFactory(email="someone@elsewhere.test")  # another partnership's
    client.force_login(manager)
    url = f"/workspace/data-set/agencies/{setup.agency_id}/escalation-contact/"
    page = client.get(url).content.decode()
    assert person.full_name in page and no_email.full_name not in page and stranger.full_name not in page
    assert client.post(url, {"person": stranger.pk}).status_code == 200  # not a choice: the form says so
    assert client.post(url, {"person": person.pk}).status_code == 302
    assert EscalationContact.objects.get(agency=setup.agency).person == person
    assert client.post(url, {"person": ""}).status_code == 302
    assert not EscalationContact.objects.exists()


def test_an_escalation_contact_needs_an_address_and_the_same_partnership(setup, manager):
    with pytest.raises(ValidationError, match="no e-mail address"):
        chasing.escalation_contact_set(
            agency=setup.agency, person=PersonFactory(partnership=setup.partnership, email=""), by=manager
        )
    with pytest.raises(ValidationError, match="this partnership"):
        chasing.escalation_contact_set(agency=setup.agency, person=PersonFactory(email="x@y.test"), by=manager)
