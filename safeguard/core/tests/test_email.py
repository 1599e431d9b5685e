"""E-mail really leaves through SMTP: a local SMTP sink (aiosmtpd) receives it."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from safeguard.core.email import send_email


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.mark.django_db
def test_it_sends_through_smtp_to_a_local_sink(smtp_sink):
    controller, sink = smtp_sink
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        send_email(to=["practitioner@example.test"], subject="Procedures updated", body="The December release is live.")
    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["practitioner@example.test"]
    assert b"Procedures updated" in envelope.content


def test_notify_backend_sends_one_notification_per_recipient(monkeypatch, settings):
    from django.core.mail import EmailMessage

    from safeguard.core.email import NotifyEmailBackend

    settings.NOTIFY_API_KEY = "test_key-" + "a" * 36 + "-" + "b" * 36
    settings.NOTIFY_TEMPLATE_ID = "template-id"
    sent = []
    backend = NotifyEmailBackend()
    monkeypatch.setattr(backend.client, "send_email_notification", lambda **kw: sent.append(kw))
    count = backend.send_messages([EmailMessage("Subject", "Body", to=["a@example.test", "b@example.test"])])
    assert count == 2
    assert sent[0]["personalisation"] == {"subject": "Subject", "body": "Body"}
