"""E-mail backends that misbehave the way mail servers and workers do, for the tests."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Refuses (SMTP 451) the first ``failures`` messages, then delivers like locmem."""

    failures = 0
    refused = 0

    def send_messages(self, messages):
        if FlakyBackend.refused < FlakyBackend.failures:
            FlakyBackend.refused += 1
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return super().send_messages(messages)


class UnreachableBackend(EmailBackend):
    """The mail server does not answer at all."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class DroppingBackend(EmailBackend):
    """The connection drops after the message was handed over: was it delivered? Nobody knows."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the sender catches it."""


class KillOnNthBackend(EmailBackend):
    """Delivers, but the worker "dies" while sending message number ``kill_at`` (1-based)."""

    kill_at = 2
    seen = 0

    def send_messages(self, messages):
        KillOnNthBackend.seen += 1
        if KillOnNthBackend.seen == KillOnNthBackend.kill_at:
            raise WorkerKilled()
        return super().send_messages(messages)
