"""Background jobs of the data set (run by ``manage.py run_worker``; ``make run`` starts one)."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled

from . import chasing


@scheduled(every=dt.timedelta(days=1))
@task()
def send_return_reminders() -> int:
    """Daily: the reminders, chases and escalations due today, each sent at most once (see
    ``chasing.py``), and whatever a stopped worker left waiting. Idempotent."""
    return chasing.chasing_run().sent


@task()
def send_return_email(email_id: int) -> str:
    """Send one e-mail already claimed (a chase by hand). Returns its status."""
    return chasing.return_email_send(email_id=email_id)
