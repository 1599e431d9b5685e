"""Browser tests: the real app (gunicorn, demo data, fresh SQLite) driven by Debian's chromium.

The session starts the app once in a subprocess on a free port; every test gets its own browser
context (so its own cookies) and an ``AxePage`` that runs axe-core on every page it loads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from .axe import AxePage, load_axe_source
from .pages import DEMO_PASSWORD, SignInPage

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer /healthz once started
COLLECTSTATIC_TIMEOUT = 180  # seconds; it gzips and brotli-compresses every static file
ACTION_TIMEOUT_MS = 10_000  # a locator or navigation that takes longer than this is a failure, not a hang
SCREENSHOT_DIR = REPO / "docs" / "images"


@dataclass(frozen=True)
class App:
    """The running app: its base URL and the SQLite file it uses (read by tests to find record ids)."""

    url: str
    database: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)  # the app's environment, for manage.py commands

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read-only SQL against the app's database (WAL mode, so it does not block the app)."""
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as conn:
            return conn.execute(sql, params).fetchall()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str], log) -> None:
    log.write(f"$ {' '.join(args)}\n")
    log.flush()
    result = subprocess.run(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed with exit code {result.returncode}; see {log.name}")


def _wait_until_up(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - fixed http://127.0.0.1 URL
                return
        except urllib.error.HTTPError:
            return  # 503 until the worker's first heartbeat: the web server is up, which is all we need
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(
        f"The app did not answer {url}/healthz within {STARTUP_TIMEOUT}s:\n{log_path.read_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class SmtpSink:
    """A local SMTP server (aiosmtpd) keeping every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"

    def wait_for(self, predicate, *, timeout: float = 30) -> EmailMessage:
        """The first message for which ``predicate(message)`` is true, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.messages):
                if predicate(message):
                    return message
            time.sleep(0.2)
        subjects = [m["Subject"] for m in self.messages]
        raise AssertionError(f"No matching e-mail arrived within {timeout}s; received: {subjects}")


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """Receives every e-mail the app sends during the session (the app is configured to use it)."""
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture(scope="session")
def app(smtp_sink: SmtpSink) -> Iterator[App]:
    """Migrate a fresh SQLite database, load the demo data, collect static files, then serve the app
    with gunicorn (and the task worker, so /healthz is green) until the session ends."""
    tmp = Path(tempfile.mkdtemp(prefix="safeguard-e2e-"))
    database = tmp / "e2e.sqlite3"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SAFEGUARD_DEMO_MODE": "1",
        "SAFEGUARD_VAR_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "safeguard.settings.base",
        "DJANGO_DEBUG": "0",
        "SAFEGUARD_SITE_URL": url,
        "PYTHONUNBUFFERED": "1",
        # e-mail goes to the session's SMTP sink (tests read it there), not to the console
        "SAFEGUARD_EMAIL": "smtp",
        "SAFEGUARD_SMTP_HOST": "127.0.0.1",
        "SAFEGUARD_SMTP_PORT": str(smtp_sink.port),
        "SAFEGUARD_SMTP_TLS": "false",
    }
    log_path = tmp / "app.log"
    python = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
    processes: list[subprocess.Popen] = []
    with log_path.open("w") as log:
        try:
            # collectstatic (compressing every file: the slow step) needs no database, so it runs
            # beside migrate and the demo data.
            collectstatic_log = tmp / "collectstatic.log"
            with collectstatic_log.open("w") as static_log:
                collectstatic = subprocess.Popen(
                    [python, "manage.py", "collectstatic", "--noinput", "-v0"],
                    cwd=REPO,
                    env=env,
                    stdout=static_log,
                    stderr=subprocess.STDOUT,
                )
                processes.append(collectstatic)
                _run([python, "manage.py", "migrate", "--noinput", "-v0"], env, log)
                _run([python, "manage.py", "load_demo_data", "--quiet-logins"], env, log)
                if collectstatic.wait(timeout=COLLECTSTATIC_TIMEOUT) != 0:
                    raise RuntimeError(f"collectstatic failed:\n{collectstatic_log.read_text()[-4000:]}")
            server = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "safeguard.wsgi:application",
                    "--env",
                    "DJANGO_SETTINGS_MODULE=safeguard.settings.base",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--log-level",
                    "warning",
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append(server)
            processes.append(
                subprocess.Popen(
                    [python, "manage.py", "run_worker"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
            _wait_until_up(url, server, log_path)
            yield App(url=url, database=database, log=log_path, env=env)
        finally:
            for process in reversed(processes):
                _stop(process)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}, which is missing. Run `make browser` "
            "(or `sudo apt-get install chromium`), then run the browser tests again.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return load_axe_source(REPO)


@pytest.fixture(scope="session")
def new_visitor(browser: Browser, app: App, axe_source: str, request: pytest.FixtureRequest):
    """Factory for a fresh visitor: a new browser context (no cookies) and its axe-checked page.

    Every page it opens is checked by axe when the test ends at the latest; a page that was loaded but
    never checked fails the test (see ``AxePage.assert_every_page_audited``).
    """
    opened: list[tuple[BrowserContext, AxePage]] = []

    def factory(*, javascript: bool = True, storage_state: dict | None = None) -> AxePage:
        context = browser.new_context(
            base_url=app.url, viewport=VIEWPORT, java_script_enabled=javascript, storage_state=storage_state
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
        page = AxePage(
            context.new_page(), axe_source=axe_source, browser=browser, base_url=app.url, javascript=javascript
        )
        opened.append((context, page))
        return page

    factory.opened = opened
    return factory


@pytest.fixture
def visitor(new_visitor) -> Iterator:
    """``visitor()`` opens a fresh context; every one is closed, and checked for unaudited pages, at teardown."""
    start = len(new_visitor.opened)
    yield new_visitor
    created = new_visitor.opened[start:]
    del new_visitor.opened[start:]
    errors = []
    for context, page in created:
        try:
            page.assert_every_page_audited()
        except AssertionError as exc:
            errors.append(str(exc))
        finally:
            page.close_helpers()
            context.close()
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)


@pytest.fixture
def page(visitor) -> AxePage:
    """A fresh anonymous visitor with JavaScript on."""
    return visitor()


@pytest.fixture(scope="session")
def signed_in_state(browser: Browser, app: App, axe_source: str):
    """Sign each demo user in once per session (through the real form, axe-checked) and keep the
    cookies, so tests that only need a signed-in user do not pay for the password hash every time.
    Tests that sign out sign in on their own, so they never invalidate these sessions."""
    states: dict[str, dict] = {}

    def get(email: str) -> dict:
        if email not in states:
            context = browser.new_context(base_url=app.url, viewport=VIEWPORT)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            page = AxePage(context.new_page(), axe_source=axe_source, browser=browser, base_url=app.url)
            try:
                SignInPage.open(page).sign_in(email, DEMO_PASSWORD)
                page.assert_every_page_audited()
                states[email] = context.storage_state()
            finally:
                page.close_helpers()
                context.close()
        return states[email]

    return get


@pytest.fixture
def signed_in(visitor, signed_in_state):
    """``signed_in("manager@northdale.example")``: an axe-checked page already signed in as that demo user."""

    def open_as(email: str) -> AxePage:
        return visitor(storage_state=signed_in_state(email))

    return open_as


@pytest.fixture
def screenshot():
    """``screenshot(page, "board")`` saves docs/images/board.png (full page) when SAFEGUARD_SCREENSHOTS=1."""

    def take(page: AxePage, name: str) -> None:
        if os.environ.get("SAFEGUARD_SCREENSHOTS") != "1":
            return
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True, animations="disabled")

    return take
