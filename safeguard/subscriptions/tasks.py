"""Background jobs of the subscriptions module (run by ``manage.py run_worker``)."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled

from . import services


@task()
def send_release_emails() -> int:
    """Send the release e-mails that are due. Queued when a release goes live and by the sweep."""
    return services.deliveries_send_due().sent


@scheduled(every=dt.timedelta(minutes=1))
@task()
def sweep_release_emails() -> int:
    """Create deliveries a lost signal missed, recover claims of stopped workers, send what is due
    (including retries after a back-off). Idempotent."""
    services.deliveries_sweep()
    return services.deliveries_send_due().sent


@scheduled(every=dt.timedelta(days=1))
@task()
def prune_subscribers() -> int:
    """Delete sign-ups that were never confirmed (after seven days)."""
    return services.subscribers_prune()
