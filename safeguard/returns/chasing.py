"""Reminders and chasing e-mails about agencies' returns: when each goes, to whom, and how each
automatic one is sent exactly once.

When (the rule)
---------------
For a return that is not started or in progress (a *reopened* return is the business unit's own
decision, so it is chased by hand only), with the partnership's ``DataSetSettings`` (the model's
defaults when it has none):

- **reminder**: ``reminder_days_before`` calendar days before the due date (none when 0), to the
  agency's data leads; it is not sent once the due date has passed;
- **chase**: ``chase_days_after`` working days after the due date, to the data leads;
- **escalation** (the second chase): ``escalation_days_after`` working days after the due date, to
  the data leads, copied to the agency's escalation contact (``EscalationContact``).

Working days are Safeguard's (``safeguard.workdays``: Monday to Friday less England and Wales bank
holidays and the partnership's closure days). The agency's data leads are the users with a current
``agency_data_lead`` role for that agency in the return's partnership.

Only the latest stage due is sent: after the worker has been down for a few days an agency gets
the escalation, not the chase and the escalation on the same morning. A stage whose date is more
than ``CATCH_UP_DAYS`` in the past is not sent at all, so switching chasing on (or loading old
returns) does not e-mail every agency about returns long overdue: the business unit chases those by
hand. A chase by hand (``return_chase_by_hand``) can be sent at any time, as often as needed.

Exactly once (how), following docs/decisions/0007-release-emails-exactly-once.md
-----------------------------------------------------------------------------
1. **Claim.** A ``ReturnEmail`` row is inserted, in its own committed transaction, before anything
   is sent. The unique constraint on (return, stage) for the automatic stages means at most one
   claim per stage exists, however many workers or runs try: the loser gets an ``IntegrityError``
   and moves on.
2. **Sending, committed before the mail server is called.** A conditional ``UPDATE`` moves the row
   from ``claimed`` (or ``failed``, for a retry) to ``sending`` and commits; only one process can
   ever make that move. Then the message is handed to the mail server; when it accepts it, ``sent``.
3. **Refused** (the server answered with an error code, or could not be reached): nothing was
   delivered, so the row is ``failed`` and the next run tries again while its stage is still the
   one due, at most ``MAX_ATTEMPTS`` times. No data lead with an address: ``failed`` too, with the
   reason, and tried again the next day (a data lead may have been added).
4. **The worker stopped.** A row still ``claimed`` was never handed to the server: the next run
   sends it (a chase by hand only once ``claim_lease()`` has passed, as the task it queued may still
   come), or cancels it when the return has been submitted or a later stage has become due. Two
   runs at once may both try: step 2 lets one through. A row still ``sending`` after the lease may
   have been delivered: it becomes ``unconfirmed`` and is **never** sent again automatically; the
   chasing page shows it to the business unit, who can chase by hand knowing the agency may have
   had it.
5. **One Message-ID per row**, so mail systems that drop duplicates by Message-ID drop a retried
   copy.

No e-mail address or name is ever logged: log lines name return and e-mail ids and counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from safeguard.core.concurrency import audit_actor, save_new, save_versioned
from safeguard.core.roles import Role
from safeguard.partnerships.models import RoleAssignment
from safeguard.workdays import selectors as workdays
from safeguard.workdays.calendar import Calendar, OutOfCalendarRange, format_date

from .choices import EmailStage, EmailStatus, ReturnStatus
from .models import AgencyReturn, DataSetSettings, EscalationContact, ReturnEmail

logger = logging.getLogger(__name__)

#: A stage whose date is further back than this is not sent automatically.
CATCH_UP_DAYS = 30
#: Attempts at handing one e-mail to the mail server before it is left ``failed`` for good.
MAX_ATTEMPTS = 3
#: A second chase by hand within this time is refused (a double click, two people at once).
MANUAL_CHASE_INTERVAL = dt.timedelta(minutes=10)
#: How many missing figures an e-mail lists by name (the rest are counted).
MISSING_LISTED = 25
#: The mail server refused (answered with an error code): nothing was delivered, retrying is safe.
REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError)
AUTOMATIC_STAGES = (EmailStage.REMINDER, EmailStage.CHASE, EmailStage.ESCALATION)
CHASED_STATUSES = (ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS)


def claim_lease() -> dt.timedelta:
    """How long a claim (or a send) may take before the daily run treats its worker as stopped:
    far longer than one send. ``RETURNS_EMAIL_LEASE_SECONDS`` overrides it (tests)."""
    return dt.timedelta(seconds=getattr(settings, "RETURNS_EMAIL_LEASE_SECONDS", 300))


# --- When --------------------------------------------------------------------------------------
def settings_of(partnership_id: int, found: dict[int, DataSetSettings]) -> DataSetSettings:
    return found.get(partnership_id) or DataSetSettings(partnership_id=partnership_id)


def stage_dates(
    *, due_date: dt.date, dataset_settings: DataSetSettings, calendar: Calendar
) -> list[tuple[str, dt.date]]:
    """The automatic stages of a return due on ``due_date`` and the day each is due, in order."""
    dates = []
    if dataset_settings.reminder_days_before:
        dates.append((EmailStage.REMINDER, due_date - dt.timedelta(days=dataset_settings.reminder_days_before)))
    dates.append((EmailStage.CHASE, calendar.add(due_date, dataset_settings.chase_days_after)))
    dates.append((EmailStage.ESCALATION, calendar.add(due_date, dataset_settings.escalation_days_after)))
    return dates


def due_stage(
    *, agency_return: AgencyReturn, dataset_settings: DataSetSettings, calendar: Calendar, today: dt.date
) -> str | None:
    """The automatic stage to send for ``agency_return`` on ``today``, or None (see the module's rule)."""
    if agency_return.status not in CHASED_STATUSES:
        return None
    latest = None
    for stage, day in stage_dates(
        due_date=agency_return.due_date, dataset_settings=dataset_settings, calendar=calendar
    ):
        if day <= today:
            latest = (stage, day)
    if latest is None:
        return None
    stage, day = latest
    if stage == EmailStage.REMINDER and today > agency_return.due_date:
        return None  # past the due date and not yet time to chase
    if (today - day).days > CATCH_UP_DAYS:
        return None
    return stage


# --- To whom -----------------------------------------------------------------------------------
@dataclass
class Addresses:
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    contact_name: str = ""


def data_lead_addresses(pairs: set[tuple[int, int]], *, on: dt.date) -> dict[tuple[int, int], list[str]]:
    """``{(partnership_id, agency_id): [addresses]}`` of the current, active data leads (one query)."""
    if not pairs:
        return {}
    rows = (
        RoleAssignment.objects.filter(
            role=Role.AGENCY_DATA_LEAD,
            agency_id__in={agency for _, agency in pairs},
            partnership_id__in={partnership for partnership, _ in pairs},
            user__is_active=True,
        )
        .current(on)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("partnership_id", "agency_id", "user__email")
        .distinct()
    )
    found: dict[tuple[int, int], list[str]] = {}
    for partnership_id, agency_id, email in rows:
        if (partnership_id, agency_id) in pairs:
            found.setdefault((partnership_id, agency_id), []).append(email)
    return found


def escalation_contacts(agency_ids: set[int]) -> dict[int, EscalationContact]:
    """``{agency_id: EscalationContact}`` with the person (one query)."""
    if not agency_ids:
        return {}
    rows = EscalationContact.objects.filter(agency_id__in=agency_ids).select_related("person")
    return {row.agency_id: row for row in rows}


def addresses_for(
    agency_return: AgencyReturn, stage: str, *, leads: dict, contacts: dict[int, EscalationContact]
) -> Addresses:
    found = Addresses(to=list(leads.get((agency_return.partnership_id, agency_return.agency_id), [])))
    contact = contacts.get(agency_return.agency_id)
    if stage == EmailStage.ESCALATION and contact is not None:
        found.contact_name = contact.person.full_name
        if contact.person.email and contact.person.is_active and contact.person.email not in found.to:
            found.cc = [contact.person.email]
    return found


# --- What --------------------------------------------------------------------------------------
def missing_figures(agency_return: AgencyReturn) -> tuple[list[str], int]:
    """The rows of the return still blank (neither a figure nor "not available"), by name, and the
    number of rows the return has."""
    from . import selectors  # the definition of a return's rows belongs to the returns portal

    slots = selectors.return_slots(agency_return=agency_return)
    values = selectors.return_values(agency_return=agency_return)
    missing = []
    for slot in slots:
        value = values.get(slot.key)
        if value is None or (value.value is None and value.denominator is None and not value.not_available):
            missing.append(slot.label)
    return missing, len(slots)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def return_link(agency_return: AgencyReturn) -> str:
    """The return's page, or the workspace home until the returns portal's page exists."""
    try:
        return absolute(agency_return.get_absolute_url())
    except NoReverseMatch:
        return absolute(reverse("workspace:home"))


def message_id(email: ReturnEmail) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<safeguard.return{email.agency_return_id}.email{email.pk}@{domain}>"


SUBJECTS = {
    EmailStage.REMINDER: "Reminder: {agency} return for {period} is due on {due}",
    EmailStage.CHASE: "Overdue: {agency} return for {period} was due on {due}",
    EmailStage.ESCALATION: "Second reminder: {agency} return for {period} is overdue",
    EmailStage.MANUAL: "Please complete the {agency} return for {period}",
}


def chase_message(
    email: ReturnEmail, *, addresses: Addresses, today: dt.date, connection=None
) -> EmailMultiAlternatives:
    """The e-mail of one ``ReturnEmail`` row: plain text and HTML (``returns/email/chase.*``)."""
    agency_return = email.agency_return
    partnership, period = agency_return.partnership, agency_return.period
    missing, total = missing_figures(agency_return)
    due = format_date(agency_return.due_date)
    context = {
        "stage": email.stage,
        "agency": agency_return.agency,
        "partnership": partnership,
        "period": period,
        "due": due,
        "late": agency_return.due_date < today,
        "link": return_link(agency_return),
        "missing": missing[:MISSING_LISTED],
        "missing_more": max(0, len(missing) - MISSING_LISTED),
        "missing_count": len(missing),
        "total": total,
        "contact_name": addresses.contact_name,
        "copied": bool(addresses.cc),
        "business_unit_email": partnership.email,
    }
    subject = SUBJECTS[email.stage].format(agency=agency_return.agency.name, period=period.label, due=due)
    headers = {"Message-ID": message_id(email)}
    if email.stage != EmailStage.MANUAL:
        headers["Auto-Submitted"] = "auto-generated"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("returns/email/chase.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses.to,
        cc=addresses.cc,
        reply_to=[partnership.email] if partnership.email else None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(render_to_string("returns/email/chase.html", context), "text/html")
    return message


# --- The daily run -------------------------------------------------------------------------------
@dataclass
class ChaseReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    email_ids: list[int] = field(default_factory=list)


def chasing_run(*, now: dt.datetime | None = None) -> ChaseReport:
    """The daily job: recover what stopped workers left, claim the stages due today, send them and
    any claim or failure left from earlier. Idempotent: run it any number of times a day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = ChaseReport()
    report.unconfirmed += return_emails_recover(now=now)
    candidates = list(
        AgencyReturn.objects.filter(
            status__in=CHASED_STATUSES,
            due_date__gte=today - dt.timedelta(days=365),
            due_date__lte=today + dt.timedelta(days=366),
        )
        .select_related("partnership", "agency", "period")
        .order_by("due_date", "pk")
    )
    partnership_ids = {r.partnership_id for r in candidates}
    found = {s.partnership_id: s for s in DataSetSettings.objects.filter(partnership_id__in=partnership_ids)}
    calendars: dict[int, Calendar | None] = {}
    due: dict[int, str] = {}
    for agency_return in candidates:
        calendar = _calendar(agency_return.partnership, calendars)
        if calendar is None:
            continue
        try:
            stage = due_stage(
                agency_return=agency_return,
                dataset_settings=settings_of(agency_return.partnership_id, found),
                calendar=calendar,
                today=today,
            )
        except OutOfCalendarRange:
            logger.warning("Return %s: its chasing dates fall outside the working-day calendar", agency_return.pk)
            continue
        if stage is None:
            continue
        due[agency_return.pk] = stage
        if return_email_claim(agency_return=agency_return, stage=stage) is not None:
            report.claimed += 1
    # Claims waiting to be sent: today's, and those a stopped worker left (never handed to the mail
    # server). A chase by hand younger than the lease belongs to the task it queued. Whoever moves a
    # row to "sending" first sends it; anyone else finds it gone (``_send_one``).
    ready = list(
        ReturnEmail.objects.filter(status=EmailStatus.CLAIMED)
        .exclude(stage=EmailStage.MANUAL, created_at__gt=now - claim_lease())
        .values_list("pk", "stage", "agency_return_id")
    )
    # Failures (refused, or no one to send to) are tried again while their stage is still the one
    # due; a chase by hand for ``CATCH_UP_DAYS``.
    retry = list(
        ReturnEmail.objects.filter(status=EmailStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        .exclude(stage=EmailStage.MANUAL, created_at__lt=now - dt.timedelta(days=CATCH_UP_DAYS))
        .values_list("pk", "stage", "agency_return_id")
    )
    to_send = []
    for pk, stage, return_id in ready + retry:
        if stage != EmailStage.MANUAL and due.get(return_id) != stage:
            _cancel_if_open(pk, "A later e-mail replaced it, or the return no longer needs chasing.", report)
            continue
        to_send.append(pk)
    _send_many(sorted(set(to_send)), now=now, report=report)
    logger.info(
        "Return e-mails: %d claimed, %d sent, %d failed, %d unconfirmed, %d cancelled",
        report.claimed,
        report.sent,
        report.failed,
        report.unconfirmed,
        report.cancelled,
    )
    return report


def _calendar(partnership, calendars: dict) -> Calendar | None:
    if partnership.pk not in calendars:
        try:
            calendars[partnership.pk] = workdays.calendar_for(partnership)
        except OutOfCalendarRange:
            logger.error("The working-day calendar is empty: no return e-mails can be timed")
            calendars[partnership.pk] = None
    return calendars[partnership.pk]


def return_email_claim(*, agency_return: AgencyReturn, stage: str) -> ReturnEmail | None:
    """Insert (and commit) the row of an automatic stage's e-mail; None when that stage already has
    one (the unique constraint: whoever inserts it first sends it)."""
    try:
        with transaction.atomic():
            email = ReturnEmail.objects.create(agency_return=agency_return, stage=stage, status=EmailStatus.CLAIMED)
    except IntegrityError:
        return None
    return email


def return_emails_recover(*, now: dt.datetime) -> int:
    """Rows left ``sending`` longer than the lease: the worker stopped while the mail server had the
    message, so nobody knows whether it was delivered. They become ``unconfirmed``, never re-sent."""
    count = ReturnEmail.objects.filter(status=EmailStatus.SENDING, sending_at__lt=now - claim_lease()).update(
        status=EmailStatus.UNCONFIRMED,
        error="The worker stopped while sending: the mail server may or may not have accepted it.",
    )
    if count:
        logger.warning("Return e-mails: %d left unconfirmed by a stopped worker", count)
    return count


def _cancel_if_open(pk: int, reason: str, report: ChaseReport) -> None:
    moved = ReturnEmail.objects.filter(pk=pk, status__in=[EmailStatus.CLAIMED, EmailStatus.FAILED]).update(
        status=EmailStatus.CANCELLED, error=reason
    )
    report.cancelled += moved


def _send_many(ids: list[int], *, now, report: ChaseReport) -> None:
    if not ids:
        return
    emails = list(
        ReturnEmail.objects.filter(pk__in=ids)
        .select_related("agency_return__partnership", "agency_return__agency", "agency_return__period")
        .order_by("pk")
    )
    today = timezone.localdate(now)
    returns = [e.agency_return for e in emails]
    leads = data_lead_addresses({(r.partnership_id, r.agency_id) for r in returns}, on=today)
    contacts = escalation_contacts({r.agency_id for r in returns})
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - whatever the backend raises, nothing was handed over
        for email in emails:
            _fail(email.pk, from_status=email.status, error=exc, report=report, handed_over=False)
        return
    try:
        for email in emails:
            addresses = addresses_for(email.agency_return, email.stage, leads=leads, contacts=contacts)
            if not _send_one(email, addresses=addresses, connection=connection, now=now, report=report):
                connection.close()  # in an unknown state: start afresh
                connection = get_connection(fail_silently=False)
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)


def _send_one(email: ReturnEmail, *, addresses: Addresses, connection, now, report: ChaseReport) -> bool:
    """Send one claimed (or failed) row. False when the connection should be renewed."""
    from_status = email.status
    agency_return = email.agency_return
    if agency_return.status == ReturnStatus.SUBMITTED:
        _cancel_if_open(email.pk, "The return was submitted before the e-mail went.", report)
        return True
    if not addresses.to:
        _fail(email.pk, from_status=from_status, error=None, report=report, handed_over=False)
        return True
    message = chase_message(email, addresses=addresses, today=timezone.localdate(now), connection=connection)
    with transaction.atomic():
        moved = ReturnEmail.objects.filter(pk=email.pk, status=from_status).update(
            status=EmailStatus.SENDING, sending_at=now, attempts=F("attempts") + 1, error=""
        )
    # Committed: from here on a stopped worker leaves the row "sending", never re-sent automatically.
    if not moved:
        return True  # another worker took it, or it was cancelled meanwhile
    try:
        count = connection.send_messages([message])
    except REFUSED as exc:
        _fail(email.pk, from_status=EmailStatus.SENDING, error=exc, report=report, handed_over=True)
        return False
    except Exception as exc:  # noqa: BLE001 - e.g. the connection dropped mid-message: it may have been delivered
        ReturnEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
            status=EmailStatus.UNCONFIRMED, error=_describe(exc)
        )
        logger.error("Return e-mail %s unconfirmed: %s", email.pk, _describe(exc))
        report.unconfirmed += 1
        return False
    if not count:
        _fail(email.pk, from_status=EmailStatus.SENDING, error=None, report=report, handed_over=True)
        return False
    recipients = len(addresses.to) + len(addresses.cc)
    ReturnEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.SENT, sent_at=now, recipients=recipients
    )
    logger.info("Return %s: %s e-mail %s sent to %d recipient(s)", agency_return.pk, email.stage, email.pk, recipients)
    report.sent += 1
    report.email_ids.append(email.pk)
    return True


def _fail(pk: int, *, from_status: str, error, report: ChaseReport, handed_over: bool) -> None:
    """Nothing was delivered: ``failed``, tried again by a later run (up to ``MAX_ATTEMPTS``)."""
    if error is None and not handed_over:
        text = "No one to send it to: the agency has no current data lead with an e-mail address."
    else:
        text = _describe(error)
    moved = ReturnEmail.objects.filter(pk=pk, status=from_status).update(status=EmailStatus.FAILED, error=text)
    if moved:
        report.failed += 1
        logger.warning("Return e-mail %s not sent: %s", pk, text)


def _describe(error) -> str:
    """What went wrong, without any address (servers often quote it in their reply)."""
    if error is None:
        return "The mail server accepted no message."
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in error.recipients.values()})
        return f"The mail server refused the recipients (SMTP {', '.join(codes)})."
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server refused the message (SMTP {error.smtp_code}, {type(error).__name__})."
    return f"{type(error).__name__}: could not complete sending."[:300]


# --- By hand -----------------------------------------------------------------------------------
def return_email_send(*, email_id: int, now: dt.datetime | None = None) -> str:
    """Send one waiting row now (the task a chase by hand queues). Returns the row's status."""
    now = now or timezone.now()
    report = ChaseReport()
    email = ReturnEmail.objects.filter(pk=email_id, status=EmailStatus.CLAIMED).first()
    if email is not None:
        _send_many([email.pk], now=now, report=report)
    return ReturnEmail.objects.filter(pk=email_id).values_list("status", flat=True).first() or ""


@transaction.atomic
def return_chase_by_hand(*, agency_return: AgencyReturn, by, now: dt.datetime | None = None) -> ReturnEmail:
    """The business unit chases a return now: an e-mail to the agency's data leads, recorded with
    who sent it. Queued for the task worker once committed (``tasks.send_return_email``)."""
    if not by.has_perm("returns.manage_dataset", agency_return):
        raise PermissionDenied("Only the business unit can chase a return.")
    now = now or timezone.now()
    locked = AgencyReturn.objects.select_for_update().get(pk=agency_return.pk)
    if locked.status == ReturnStatus.SUBMITTED:
        raise ValidationError("This return has been submitted: there is nothing to chase.")
    recent = ReturnEmail.objects.filter(
        agency_return=locked, stage=EmailStage.MANUAL, created_at__gt=now - MANUAL_CHASE_INTERVAL
    )
    if recent.exists():
        raise ValidationError(
            "This return was chased by hand in the last 10 minutes: wait for that e-mail before sending another."
        )
    email = ReturnEmail(agency_return=locked, stage=EmailStage.MANUAL, status=EmailStatus.CLAIMED, sent_by=by)
    save_new(email, by=by)
    from .tasks import send_return_email

    transaction.on_commit(lambda: send_return_email.enqueue(email_id=email.pk))
    logger.info("Return %s: chase by hand %s queued", locked.pk, email.pk)
    return email


# --- Escalation contacts -------------------------------------------------------------------------
@transaction.atomic
def escalation_contact_set(*, agency, person, by) -> EscalationContact | None:
    """Make ``person`` the agency's escalation contact (None removes it)."""
    if not by.has_perm("returns.manage_dataset", agency):
        raise PermissionDenied("Only the business unit can change escalation contacts.")
    current = EscalationContact.objects.select_for_update().filter(agency=agency).first()
    if person is None:
        if current is not None:
            with audit_actor(by):
                current.delete()
        return None
    if person.partnership_id != agency.partnership_id:
        raise ValidationError({"person": "Choose someone from this partnership's people."})
    if not person.email:
        raise ValidationError(
            {"person": f"{person.full_name} has no e-mail address: add one on their page, or choose someone else."}
        )
    if current is None:
        current = EscalationContact(partnership_id=agency.partnership_id, agency=agency, person=person)
        current.updated_by = by
        save_new(current, by=by)
        return current
    current.person = person
    save_versioned(current, expected_version=current.version, by=by, fields=["person"])
    return current


# --- Reads for the chasing page ------------------------------------------------------------------
@dataclass
class ChaseRow:
    """One return still to come in, with its e-mails and what the daily job will do next."""

    agency_return: AgencyReturn
    late: bool
    data_leads: int
    emails: list[ReturnEmail]
    next_stage: str = ""
    next_date: dt.date | None = None

    @property
    def next_stage_label(self) -> str:
        return EmailStage(self.next_stage).label if self.next_stage else ""


@dataclass
class ChasingOverview:
    partnership: object
    rows: list[ChaseRow]
    attention: list[ReturnEmail]
    agencies: list[tuple[object, EscalationContact | None]]  # (agency, its escalation contact)


def chasing_overview(*, partnership, today: dt.date) -> ChasingOverview:
    """Everything the chasing page shows for one partnership, in a fixed number of queries: every
    return not submitted (newest due first), its e-mails, the e-mails that need a decision, and each
    agency's escalation contact."""
    from safeguard.partnerships.models import Agency

    returns = list(
        AgencyReturn.objects.filter(partnership=partnership, status__in=[*CHASED_STATUSES, ReturnStatus.REOPENED])
        .select_related("agency", "period", "partnership")
        .order_by("-due_date", "agency__name", "pk")
    )
    emails: dict[int, list[ReturnEmail]] = {}
    for email in ReturnEmail.objects.filter(agency_return__in=returns).select_related("sent_by").order_by("created_at"):
        emails.setdefault(email.agency_return_id, []).append(email)
    leads = data_lead_addresses({(r.partnership_id, r.agency_id) for r in returns}, on=today)
    dataset_settings = DataSetSettings.objects.filter(partnership=partnership).first() or DataSetSettings(
        partnership=partnership
    )
    calendar = _calendar(partnership, {})
    rows = []
    for agency_return in returns:
        row = ChaseRow(
            agency_return=agency_return,
            late=agency_return.due_date < today,
            data_leads=len(leads.get((agency_return.partnership_id, agency_return.agency_id), [])),
            emails=emails.get(agency_return.pk, []),
        )
        if calendar is not None and agency_return.status in CHASED_STATUSES:
            _next_stage(row, dataset_settings, calendar, today)
        rows.append(row)
    attention = list(
        ReturnEmail.objects.filter(
            agency_return__partnership=partnership, status__in=[EmailStatus.FAILED, EmailStatus.UNCONFIRMED]
        )
        .select_related("agency_return__agency", "agency_return__period")
        .order_by("-created_at")[:50]
    )
    contacts = {
        c.agency_id: c for c in EscalationContact.objects.filter(partnership=partnership).select_related("person")
    }
    agencies = [
        (agency, contacts.get(agency.pk))
        for agency in Agency.objects.filter(partnership=partnership, is_active=True).order_by("name", "pk")
    ]
    return ChasingOverview(partnership, rows, attention, agencies)


def _next_stage(row: ChaseRow, dataset_settings, calendar: Calendar, today: dt.date) -> None:
    done = {email.stage for email in row.emails}
    try:
        dates = stage_dates(due_date=row.agency_return.due_date, dataset_settings=dataset_settings, calendar=calendar)
    except OutOfCalendarRange:
        return
    for stage, day in dates:
        if stage in done or (stage == EmailStage.REMINDER and day < today):
            continue
        if day >= today:
            row.next_stage, row.next_date = stage, day
            return
