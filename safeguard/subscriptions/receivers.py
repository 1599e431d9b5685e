"""Listens to ``procedures.signals.release_published``: creates the release's deliveries and queues
sending. The scheduled sweep does the same in case this signal is lost (see ``policy.py``)."""

import logging

from django.db import transaction
from django.dispatch import receiver

from safeguard.procedures.signals import release_published

logger = logging.getLogger(__name__)


@receiver(release_published, dispatch_uid="subscriptions.release_published")
def queue_release_emails(sender, release, **kwargs) -> None:
    from . import services, tasks

    try:
        with transaction.atomic():
            if services.deliveries_create_for_release(release=release):
                tasks.send_release_emails.enqueue()
    except Exception:  # the publish has committed; the sweep creates them within a minute instead
        logger.exception("Could not queue the e-mails of release %s; the sweep will retry", release.pk)
