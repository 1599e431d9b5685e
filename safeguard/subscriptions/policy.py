"""The rules of update subscriptions in one place: timings, limits and retries.

How release e-mails are sent exactly once (see ``docs/decisions/0007-release-emails-exactly-once.md``):

1. When a release goes live, one ``Delivery`` row is created for each confirmed subscriber of the
   release's manual (confirmed before the release was published), by the ``release_published``
   receiver *and* by the scheduled sweep. Unique constraints on (release, subscriber) and
   (release, address_key) make creating them idempotent, and make one e-mail per address even when
   the same address subscribed on two partnerships' sites that publish the same manual.
2. The worker *claims* a batch (``pending`` -> ``claimed``, committed). Just before talking to the
   mail server it moves one delivery to ``sending`` and commits; after the server accepted it, to
   ``sent``. Each move is a conditional UPDATE, so only one process can ever move a row to
   ``sending``.
3. If the mail server refuses (it answered with an error code, or could not be reached), nothing
   was delivered: the delivery goes back to ``pending`` with a back-off, up to ``MAX_ATTEMPTS``,
   then ``failed`` (shown to staff, who can retry).
4. If the worker dies (or the connection drops) after ``sending`` was committed we cannot know
   whether the server accepted the message. Such a delivery becomes ``unconfirmed`` and is **never**
   re-sent automatically: staff decide on the workspace page. A ``claimed`` delivery whose worker
   died was never handed to the server, so it safely goes back to ``pending``.
"""

import datetime as dt

from django.conf import settings

from safeguard.settings.env import env_int

#: A confirmation link works this long.
CONFIRMATION_MAX_AGE = dt.timedelta(days=7)
#: Unconfirmed sign-ups are deleted after this long.
PENDING_RETENTION = dt.timedelta(days=7)
#: At most this many confirmation e-mails per address per day (whatever site it signs up on) ...
CONFIRMATIONS_PER_DAY = 3
#: ... and never two within this interval.
CONFIRMATION_MIN_INTERVAL = dt.timedelta(minutes=2)

#: Attempts at sending one release e-mail before giving up (``failed``).
MAX_ATTEMPTS = 6
#: Wait before attempt n+1 after n failed attempts (the last value repeats).
BACKOFF = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1)]
#: Deliveries one worker claims at a time.
BATCH_SIZE = 50
#: The sweep creates missing deliveries for releases published this recently.
SWEEP_WINDOW = dt.timedelta(days=3)


def claim_lease() -> dt.timedelta:
    """How long a claim lasts before another worker may recover it (far longer than one send).

    ``SAFEGUARD_SUBSCRIPTIONS_LEASE_SECONDS`` (default 300) exists for tests that kill a worker.
    """
    seconds = getattr(settings, "SUBSCRIPTIONS_LEASE_SECONDS", None)
    if seconds is None:
        seconds = env_int("SAFEGUARD_SUBSCRIPTIONS_LEASE_SECONDS", 300, minimum=1)
    return dt.timedelta(seconds=seconds)


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]
