"""Browser tests: the real app in a subprocess (gunicorn + task worker, its own SQLite file, demo
data), driven by Playwright through Debian's chromium, with axe-core on every page visited.

The app gets its own database file rather than the test database: audit tables refuse the DELETEs
a flush between tests would need (docs/decisions/0005-audit-append-only.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .axe import AxeChecker
from .pages import Site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a local URL we built
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"The app did not start at {url}")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("e2e-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEGUARD_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="safeguard.settings.base",
        SAFEGUARD_DEMO_MODE="1",
        SAFEGUARD_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var}/e2e.sqlite3",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    python = sys.executable
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["load_demo_data", "--quiet-logins"],
    ):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed at teardown
    gunicorn = Path(python).with_name("gunicorn")
    processes = [
        subprocess.Popen(
            [
                str(gunicorn),
                "safeguard.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--env",
                "DJANGO_SETTINGS_MODULE=safeguard.settings.base",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [python, "manage.py", "run_worker", "--tick", "1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        ),
    ]
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base_url}/healthz")
        yield base_url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}: run `make browser` (or apt-get install chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def axe():
    return AxeChecker()


@pytest.fixture
def site(browser, live_app, axe):
    """A browser tab that runs axe-core after every page it loads (see pages.Site)."""
    context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield Site(context.new_page(), axe)
    axe.assert_clean()
    context.close()


@pytest.fixture
def no_js_page(browser, live_app, axe):
    context = browser.new_context(base_url=live_app, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
