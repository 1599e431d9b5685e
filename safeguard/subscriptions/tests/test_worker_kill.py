"""A real worker process, killed with SIGKILL while it hands a release e-mail to a real SMTP server,
then restarted: every address still gets the release exactly once.

Runs ``manage.py run_worker`` against its own SQLite file and a local SMTP sink (aiosmtpd) that
holds the 4th message open until the worker is dead. About 30 seconds (mostly `migrate`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[3]
SUBSCRIBERS = 8
HOLD_MESSAGE = 4  # the sink keeps this release e-mail "in the server" until the worker has been killed

SETUP = f"""
import datetime as dt
from django.db import transaction
from safeguard.core.testing import PartnershipFactory
from safeguard.subscriptions.testing import SubscriberFactory, published_release
from safeguard.procedures.models import Manual

partnership = PartnershipFactory(name="Killshire Safeguarding Children Partnership", slug="killshire")
manual = Manual.objects.create(partnership=partnership, title="Child Protection Procedures", slug="cpp")
for n in range({SUBSCRIBERS}):
    SubscriberFactory(partnership=partnership, email=f"practitioner{{n}}@example.org", manuals=[manual])
published_release(partnership=partnership, slug="cpp")  # the release_published signal queues the e-mails
print("release published")
"""

SWEEP = "from safeguard.subscriptions.tasks import sweep_release_emails; sweep_release_emails.enqueue()"


class HoldingSink:
    """Records every message; holds message number ``HOLD_MESSAGE`` without answering until released."""

    def __init__(self) -> None:
        self.messages: list = []
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        if len(self.messages) == HOLD_MESSAGE:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _statuses(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as conn:
        rows = conn.execute("SELECT status, COUNT(*) FROM subscriptions_delivery GROUP BY status").fetchall()
    return dict(rows)


def _wait(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text()[-4000:]}")


def test_a_killed_worker_never_sends_a_release_twice(tmp_path):
    sink = HoldingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    database = tmp_path / "kill.sqlite3"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguard.settings.base",
        "DJANGO_SECRET_KEY": "kill-test-secret-key-0123456789-0123456789-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "SAFEGUARD_VAR_DIR": str(tmp_path),
        "SAFEGUARD_SITE_URL": "http://127.0.0.1:8000",
        "SAFEGUARD_EMAIL": "smtp",
        "SAFEGUARD_SMTP_HOST": "127.0.0.1",
        "SAFEGUARD_SMTP_PORT": str(controller.port),
        "SAFEGUARD_SMTP_TLS": "false",
        "SAFEGUARD_SUBSCRIPTIONS_LEASE_SECONDS": "2",
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    python = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
    workers: list[subprocess.Popen] = []

    def manage(*args: str) -> None:
        subprocess.run([python, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True, timeout=120)

    def start_worker() -> subprocess.Popen:
        with log.open("a") as out:
            worker = subprocess.Popen(
                [python, "manage.py", "run_worker", "--interval", "0.2", "--tick", "1"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        workers.append(worker)
        return worker

    try:
        manage("migrate", "--noinput", "-v0")
        manage("shell", "-c", SETUP)
        assert _statuses(database) == {"pending": SUBSCRIBERS}

        first = start_worker()
        _wait(sink.holding.is_set, 60, f"the worker to send message {HOLD_MESSAGE}", log)
        first.send_signal(signal.SIGKILL)  # dies while the server holds the 4th message
        first.wait(timeout=10)
        sink.released.set()
        killed = _statuses(database)
        assert killed.get("sent") == HOLD_MESSAGE - 1 and killed.get("sending") == 1, killed

        start_worker()
        time.sleep(2.5)  # the lease of the dead worker's claims runs out
        manage("shell", "-c", SWEEP)  # what the next scheduled sweep does (it runs every minute)
        _wait(
            lambda: set(_statuses(database)) <= {"sent", "unconfirmed"},
            60,
            "the restarted worker to finish",
            log,
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        controller.stop()

    assert _statuses(database) == {"sent": SUBSCRIBERS - 1, "unconfirmed": 1}
    release_emails = [e for e in sink.messages if "update is live" in message_from_bytes(e.content).get("Subject", "")]
    received = collections.Counter(rcpt for e in release_emails for rcpt in e.rcpt_tos)
    expected = {f"practitioner{n}@example.org" for n in range(SUBSCRIBERS)}
    assert set(received) == expected  # everyone got it, the held one included (the server had it) ...
    assert set(received.values()) == {1}  # ... and nobody got it twice
