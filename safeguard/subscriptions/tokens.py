"""Signed links in e-mails. They carry ids, never an e-mail address.

- a *confirmation* token: the subscriber id and the manuals chosen, timestamped, valid for
  ``policy.CONFIRMATION_MAX_AGE``; confirming applies exactly the choice that was e-mailed;
- a *manage* token: the subscriber id only, with no expiry (it is in every release e-mail so that
  unsubscribing keeps working for years). Each kind has its own salt, so one cannot stand in for
  the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from .policy import CONFIRMATION_MAX_AGE

_CONFIRM_SALT = "safeguard.subscriptions.confirm"
_MANAGE_SALT = "safeguard.subscriptions.manage"


class InvalidToken(Exception):
    """The link was changed, is not ours, or has expired (``expired`` tells which)."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Confirmation:
    subscriber_id: int
    manual_ids: tuple[int, ...]


def confirmation_token(*, subscriber_id: int, manual_ids) -> str:
    return signing.dumps({"s": subscriber_id, "m": sorted(manual_ids)}, salt=_CONFIRM_SALT, compress=True)


def read_confirmation_token(token: str) -> Confirmation:
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken(expired=True) from None
    except signing.BadSignature:
        raise InvalidToken() from None
    try:
        return Confirmation(subscriber_id=int(data["s"]), manual_ids=tuple(int(m) for m in data["m"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidToken() from None


def manage_token(*, subscriber_id: int) -> str:
    return signing.dumps({"s": subscriber_id}, salt=_MANAGE_SALT)


def read_manage_token(token: str) -> int:
    try:
        data = signing.loads(token, salt=_MANAGE_SALT)
        return int(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidToken() from None
