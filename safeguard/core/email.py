"""E-mail: Django's backends (console in demo, SMTP) plus GOV.UK Notify.

Modules send through ``send_email`` (queued as a background task, so a slow mail server never
slows a page) and never call ``django.core.mail.send_mail`` directly (a ruff rule enforces it).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email_task(*, to: list[str], subject: str, body: str) -> int:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    return message.send(fail_silently=False)


def send_email(*, to: list[str], subject: str, body: str) -> None:
    """Queue a plain-text e-mail. Recipients are not logged (they are personal data)."""
    send_email_task.enqueue(to=to, subject=subject, body=body)
    logger.info("Queued e-mail '%s' to %d recipient(s)", subject, len(to))


class NotifyEmailBackend(BaseEmailBackend):
    """Sends through GOV.UK Notify with one generic template whose personalisation fields are
    ``subject`` and ``body`` (set SAFEGUARD_NOTIFY_TEMPLATE_ID to that template)."""

    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(settings.NOTIFY_API_KEY)
        self.template_id = settings.NOTIFY_TEMPLATE_ID

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            for recipient in message.recipients():
                try:
                    self.client.send_email_notification(
                        email_address=recipient,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
                    sent += 1
                except Exception:
                    logger.exception("GOV.UK Notify refused an e-mail")
                    if not self.fail_silently:
                        raise
        return sent
