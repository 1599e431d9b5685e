"""Writes and rules for the documents library.

- Only roles with ``documents.manage`` in the document's partnership change the library. ``by=None``
  is the system (the demo loader, scheduled jobs), never a web request.
- Every upload is checked by ``files.check_upload`` before anything is stored; a refused file leaves
  no row and no file behind.
- Each upload is a new numbered version; the newest becomes the one served.
- Review reminders (``review_reminders_send``) go once per document, review date and stage: the
  ``ReviewReminder`` row and the queued e-mail are written in one transaction under a unique
  constraint, so reruns, parallel workers and restarts never send one twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from safeguard.core.access import has_capability
from safeguard.core.concurrency import audit_actor, save_new, save_versioned
from safeguard.core.email import send_email
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Partnership, Person

from . import files
from .choices import DocumentStatus, ReminderStage, Visibility
from .models import REVIEW_DUE_DAYS, Document, DocumentVersion, ReviewReminder

logger = logging.getLogger(__name__)

_EDITABLE = ("title", "summary", "category", "owner", "review_date", "visibility")


def _require_manage(by, partnership_id: int) -> None:
    if by is None:
        return
    if not has_capability(by, partnership_id, Capability.MANAGE_DOCUMENTS):
        raise PermissionDenied("Only the business unit of the partnership that owns the library can change it.")


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _check_owner(owner: Person | None, partnership_id: int) -> None:
    if owner is None:
        raise ValidationError({"owner": "Choose who owns the document: review reminders go to them."})
    if owner.partnership_id != partnership_id:
        raise ValidationError({"owner": "Choose an owner from the document's own partnership."})
    if not owner.email:
        raise ValidationError(
            {
                "owner": f"{owner} has no e-mail address, so review reminders could not reach them. "
                "Add their e-mail address to their record, or choose someone else."
            }
        )


def _unique_slug(partnership: Partnership, wanted: str, title: str) -> str:
    base = slugify(wanted or title)[:110].strip("-") or "document"
    taken = set(Document.objects.filter(partnership=partnership, slug__startswith=base).values_list("slug", flat=True))
    if wanted:
        if base in taken:
            raise ValidationError({"slug": "Another document already uses this address. Choose a different one."})
        return base
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_note(change_note: str) -> str:
    note = (change_note or "").strip()
    if not note:
        raise ValidationError(
            {"change_note": "Say what changed in this version, for example 'Updated the contact numbers'."}
        )
    return note


def _check_file(upload, errors: dict) -> files.CheckedFile | None:
    if upload is None:
        errors.setdefault("file", []).append("Choose the file to upload.")
        return None
    try:
        return files.check_upload(upload)
    except ValidationError as exc:
        errors.setdefault("file", []).extend(exc.messages)
        return None


def _add_version(*, document: Document, by, upload, checked: files.CheckedFile, change_note: str) -> DocumentVersion:
    """Store a checked file as the document's next version (the caller holds a transaction)."""
    Document.objects.select_for_update().filter(pk=document.pk).first()  # serialise version numbers
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_filename=checked.original_name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        change_note=change_note,
        uploaded_by=_actor(by),
    )
    version.full_clean(exclude=["file"])
    version.file.save("upload", upload, save=False)  # random name from files.random_file_name
    try:
        save_new(version, by=by)
    except BaseException:
        version.file.storage.delete(version.file.name)
        raise
    document.current_version = version
    with audit_actor(by):
        document.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def document_create(
    *,
    partnership: Partnership,
    by,
    title: str,
    category: str,
    owner: Person | None,
    review_date: dt.date,
    file,
    visibility: str = Visibility.PUBLIC,
    summary: str = "",
    change_note: str = "First version",
    slug: str = "",
) -> Document:
    """A new document with its first version."""
    _require_manage(by, partnership.pk)
    errors: dict[str, list[str]] = {}
    for check in (lambda: _check_owner(owner, partnership.pk), lambda: _clean_note(change_note)):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    document = Document(
        partnership=partnership,
        title=(title or "").strip(),
        slug=_unique_slug(partnership, slug, title or ""),
        summary=(summary or "").strip(),
        category=category,
        owner=owner,
        review_date=review_date,
        visibility=visibility,
        updated_by=_actor(by),
    )
    try:
        document.full_clean(exclude=["owner"] if "owner" in errors else None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    checked = _check_file(file, errors)  # every problem is reported at once, file included
    if errors:
        raise ValidationError(errors)
    save_new(document, by=by)
    _add_version(document=document, by=by, upload=file, checked=checked, change_note=change_note.strip())
    return document


@transaction.atomic
def document_update(*, document: Document, by, expected_version: int, **changes) -> Document:
    """Change the details (not the file, not the address). Fields left out keep their value."""
    _require_manage(by, document.partnership_id)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValidationError(f"These details cannot be changed here: {', '.join(sorted(unknown))}.")
    if "owner" in changes:
        _check_owner(changes["owner"], document.partnership_id)
    for name, value in changes.items():
        setattr(document, name, value.strip() if isinstance(value, str) and name in ("title", "summary") else value)
    save_versioned(document, expected_version=expected_version, by=by, fields=list(changes) or ["title"])
    return document


@transaction.atomic
def document_version_upload(
    *, document: Document, by, file, change_note: str, review_date: dt.date | None = None
) -> DocumentVersion:
    """Upload a new version: it becomes the one served at once. Optionally set the next review date
    (a new version is usually the result of a review)."""
    _require_manage(by, document.partnership_id)
    if document.is_archived:
        raise ValidationError("This document is archived. Restore it before uploading a new version.")
    errors: dict[str, list[str]] = {}
    try:
        note = _clean_note(change_note)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked = _check_file(file, errors)
    if errors:
        raise ValidationError(errors)
    version = _add_version(document=document, by=by, upload=file, checked=checked, change_note=note)
    if review_date is not None and review_date != document.review_date:
        document.review_date = review_date
        document.full_clean()
        with audit_actor(by):
            document.save(update_fields=["review_date", "updated_at"])
    return version


@transaction.atomic
def document_archive(*, document: Document, by, expected_version: int, now: dt.datetime | None = None) -> Document:
    """Take a document out of use: off the public site, no more reminders; its versions are kept."""
    _require_manage(by, document.partnership_id)
    if document.is_archived:
        raise ValidationError("This document is already archived.")
    document.status = DocumentStatus.ARCHIVED
    document.archived_at = now or timezone.now()
    save_versioned(document, expected_version=expected_version, by=by, fields=["status", "archived_at"])
    return document


@transaction.atomic
def document_restore(*, document: Document, by, expected_version: int) -> Document:
    """Bring an archived document back into use (and onto the public site if it is public)."""
    _require_manage(by, document.partnership_id)
    if not document.is_archived:
        raise ValidationError("This document is already current.")
    document.status = DocumentStatus.CURRENT
    document.archived_at = None
    save_versioned(document, expected_version=expected_version, by=by, fields=["status", "archived_at"])
    return document


# --- Review reminders -------------------------------------------------------------------------
def _reminder_recipients(document: Document) -> list[str]:
    recipients = [document.owner.email]
    unit = document.partnership.email
    if unit and unit.lower() != document.owner.email.lower():
        recipients.append(unit)
    return recipients


def _reminder_text(document: Document, stage: str, today: dt.date) -> tuple[str, str]:
    link = f"{settings.SITE_URL}{document.get_absolute_url()}"
    when = f"{document.review_date:%-d %B %Y}"
    if stage == ReminderStage.OVERDUE:
        days = (today - document.review_date).days
        subject = f"Review overdue: {document.title}"
        opening = f"The review of '{document.title}' was due on {when} ({days} day{'s' if days != 1 else ''} ago)."
    else:
        days = (document.review_date - today).days
        subject = f"Review due by {when}: {document.title}"
        opening = f"'{document.title}' is due for review on {when}, in {days} day{'s' if days != 1 else ''}."
    body = (
        f"Dear {document.owner.full_name},\n\n{opening}\n\n"
        "You are named as its owner in the documents library of "
        f"{document.partnership.name}.\n\n"
        "Please review it. Then, in the library:\n"
        "- if it needs changes, upload the new version and say what changed;\n"
        "- if it is still right, change the review date to the next one;\n"
        "- if it is no longer needed, archive it.\n\n"
        f"Open the document: {link}\n\n"
        f"If you are no longer the right person, tell the business unit"
        f"{' at ' + document.partnership.email if document.partnership.email else ''}.\n"
    )
    return subject, body


def review_reminders_send(*, now: dt.datetime | None = None) -> list[ReviewReminder]:
    """E-mail owners of current documents whose review is due within ``REVIEW_DUE_DAYS`` days or
    overdue. Each (document, review date, stage) is sent at most once, however often this runs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    already = ReviewReminder.objects.filter(document=OuterRef("pk"), review_date=OuterRef("review_date"))
    candidates = (
        Document.objects.current()
        .filter(review_date__lte=today + dt.timedelta(days=REVIEW_DUE_DAYS))
        .annotate(
            due_soon_sent=Exists(already.filter(stage=ReminderStage.DUE_SOON)),
            overdue_sent=Exists(already.filter(stage=ReminderStage.OVERDUE)),
        )
        .select_related("partnership", "owner")
        .order_by("review_date", "pk")
    )
    sent = []
    for document in candidates:
        overdue = document.review_date < today
        if (overdue and document.overdue_sent) or (not overdue and document.due_soon_sent):
            continue
        stage = ReminderStage.OVERDUE if overdue else ReminderStage.DUE_SOON
        reminder = _send_once(document, stage, now, today)
        if reminder is not None:
            sent.append(reminder)
    return sent


def _send_once(document: Document, stage: str, now: dt.datetime, today: dt.date) -> ReviewReminder | None:
    if not document.owner.email:
        logger.warning("Document %s has an owner without an e-mail address: no review reminder sent", document.pk)
        return None
    recipients = _reminder_recipients(document)
    with transaction.atomic():
        reminder, created = ReviewReminder.objects.get_or_create(
            document=document,
            review_date=document.review_date,
            stage=stage,
            defaults={"sent_at": now, "recipient_count": len(recipients)},
        )
        if not created:
            return None  # another run got there first
        subject, body = _reminder_text(document, stage, today)
        # Queued in the same transaction: with the database task backend the e-mail exists if and
        # only if the reminder row does.
        send_email(to=recipients, subject=subject, body=body)
    return reminder
