import datetime as dt
import re

from django.utils import timezone

CHRISTMAS = dt.date(2026, 12, 25)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def release_emails(outbox, to=None):
    return [m for m in outbox if "update is live" in m.subject and (to is None or to in m.to)]


def confirmation_emails(outbox, to=None):
    return [m for m in outbox if m.subject.startswith("Confirm") and (to is None or to in m.to)]


def path_of(url: str) -> str:
    """The path of an absolute link in an e-mail (the test client speaks paths)."""
    return re.sub(r"^https?://[^/]+", "", url)


def link(body: str, fragment: str) -> str:
    """The first link in ``body`` whose path contains ``fragment``."""
    for url in re.findall(r"https?://\S+", body):
        if fragment in url:
            return path_of(url)
    raise AssertionError(f"No link containing {fragment!r} in:\n{body}")
