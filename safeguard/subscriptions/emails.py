"""The two e-mails of this module: the confirmation (plain text, through ``send_email``) and the
release e-mail (plain text and HTML, with ``List-Unsubscribe`` headers, built here because
``safeguard.core.email.send_email`` takes no headers or HTML part)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from safeguard.procedures.choices import ChangeKind
from safeguard.procedures.models import ReleaseChange

from . import tokens

_SUFFIX = " Safeguarding Children Partnership"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def place_name(partnership) -> str:
    """ "Northdale" for "Northdale Safeguarding Children Partnership"."""
    name = partnership.name
    return name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name


def message_id(*, release_id: int, subscriber_id: int) -> str:
    """A Message-ID per delivery: re-sending the same delivery reuses it, so mail systems that
    de-duplicate by Message-ID drop a second copy."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return make_msgid(idstring=f"release{release_id}.subscriber{subscriber_id}", domain=domain)


def manage_links(*, partnership, subscriber_id: int) -> dict[str, str]:
    token = tokens.manage_token(subscriber_id=subscriber_id)
    slug = partnership.slug
    return {
        "manage_url": absolute(reverse("subscriptions:manage", args=[slug, token])),
        "unsubscribe_url": absolute(reverse("subscriptions:unsubscribe", args=[slug, token])),
        "one_click_url": absolute(reverse("subscriptions:one_click", args=[slug, token])),
    }


# --- Confirmation -----------------------------------------------------------------------------
def confirmation_email(*, partnership, subscriber_id: int, manuals) -> tuple[str, str]:
    """(subject, body) of the e-mail asking to confirm a subscription."""
    token = tokens.confirmation_token(subscriber_id=subscriber_id, manual_ids=[m.pk for m in manuals])
    context = {
        "partnership": partnership,
        "place": place_name(partnership),
        "manuals": manuals,
        "confirm_url": absolute(reverse("subscriptions:confirm", args=[partnership.slug, token])),
        "days": tokens.CONFIRMATION_MAX_AGE.days,
    }
    subject = f"Confirm your subscription to {place_name(partnership)} procedures updates"
    return subject, render_to_string("subscriptions/email/confirm.txt", context)


# --- Release ----------------------------------------------------------------------------------
@dataclass
class ReleaseContent:
    """What one site's subscribers are told about one release (shared by every e-mail to that site)."""

    release: object
    partnership: object
    new: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.updated or self.removed)


def release_content(*, release, partnership, changes=None) -> ReleaseContent:
    """The changes of ``release`` a practitioner on ``partnership``'s site can see (local chapters of
    another partnership are left out), each with the absolute link to its public page."""
    if changes is None:
        changes = ReleaseChange.objects.filter(release=release).select_related("chapter").order_by("chapter__title")
    manual = release.manual
    content = ReleaseContent(release=release, partnership=partnership)
    for change in changes:
        if change.chapter.local_to_id not in (None, partnership.pk):
            continue
        item = {"title": change.chapter.title, "summary": change.summary, "url": ""}
        if change.kind != ChangeKind.REMOVED:
            item["url"] = absolute(
                reverse("procedures:chapter", args=[partnership.slug, manual.slug, change.chapter.slug])
            )
        {ChangeKind.NEW: content.new, ChangeKind.UPDATED: content.updated, ChangeKind.REMOVED: content.removed}[
            change.kind
        ].append(item)
    return content


def visible_changes_filter(partnership_id) -> Q:
    return Q(chapter__local_to__isnull=True) | Q(chapter__local_to=partnership_id)


def release_subject(content: ReleaseContent) -> str:
    return f"{place_name(content.partnership)} procedures: {content.release.title} update is live"


def release_message(*, content: ReleaseContent, to: str, subscriber_id: int, message_id: str, connection=None):
    """The release e-mail to one subscriber, with RFC 8058 one-click unsubscribe headers."""
    partnership, release = content.partnership, content.release
    links = manage_links(partnership=partnership, subscriber_id=subscriber_id)
    context = {
        "content": content,
        "release": release,
        "manual": release.manual,
        "partnership": partnership,
        "place": place_name(partnership),
        "amendments_url": absolute(reverse("procedures:amendments", args=[partnership.slug, release.manual.slug])),
        **links,
    }
    message = EmailMultiAlternatives(
        subject=release_subject(content),
        body=render_to_string("subscriptions/email/release.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "List-Id": f"{place_name(partnership)} procedures updates <updates.{partnership.slug}.{_domain()}>",
            "List-Unsubscribe": f"<{links['one_click_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("subscriptions/email/release.html", context), "text/html")
    return message


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
