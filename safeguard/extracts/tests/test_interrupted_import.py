"""A real import process killed with SIGKILL while it loads: nothing of the new file is stored, the
previous extract stays current with every row, and the stalled import is then marked failed.

Runs ``manage.py import_cin_census`` in a subprocess against a database of its own, of the kind the
suite runs on (a SQLite file, or a PostgreSQL database on the same server, dropped afterwards), on
a generated census of 20,000 children, and kills it once it has written its first batch of rows.
The import runs only a throwaway rule, so the test does not depend on which DfE rules exist.
About a minute (mostly ``migrate`` and generating the file).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[3]
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv" / "bin" / "python").exists() else sys.executable
BIG = 20_000

SETUP = """
from safeguard.core.testing import PartnershipFactory
PartnershipFactory(name="Killshire Safeguarding Children Partnership", slug="killshire", local_authority_code="931")
"""

# The real command, run with a throwaway query rule in place of the DfE rule set.
IMPORT = """
from django.core.management import call_command
from safeguard.extracts.testing import only_these_rules
with only_these_rules(("KILLQ", "query", lambda child: False)):
    call_command("import_cin_census", {path!r}, "--partnership", "killshire")
"""

STALLED = """
import datetime as dt
from safeguard.extracts.services import extracts_fail_stalled
print(extracts_fail_stalled(quiet_for=dt.timedelta(0)))
"""

CHILD_TABLES = (
    "extracts_censuschild",
    "extracts_cinepisode",
    "extracts_censusassessment",
    "extracts_cinplan",
    "extracts_section47",
    "extracts_childprotectionplan",
    "extracts_cpreview",
)


class _Database:
    """A throw-away database like the suite's, reachable by URL from a subprocess and by SQL from here."""

    def __init__(self, tmp_path: Path):
        default = settings.DATABASES["default"]
        self.vendor = "postgresql" if "postgresql" in default["ENGINE"] else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp_path / "kill.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        import psycopg

        self.psycopg = psycopg
        self.name = f"safeguard_importer_kill_{uuid.uuid4().hex[:8]}"
        auth = default["USER"] + (f":{default['PASSWORD']}" if default.get("PASSWORD") else "")
        self.server = f"postgresql://{auth}@{default['HOST'] or '127.0.0.1'}:{default['PORT'] or 5432}"
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = f"{self.server}/{self.name}".replace("postgresql://", "postgres://", 1)

    def rows(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        with self.psycopg.connect(f"{self.server}/{self.name}", autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with self.psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = _Database(tmp_path)
    yield db
    db.drop()


def _row_counts(db: _Database, extract_id: int) -> dict[str, int]:
    return {t: db.rows(f"SELECT COUNT(*) FROM {t} WHERE extract_id = %s", [extract_id])[0][0] for t in CHILD_TABLES}


def _extract(db: _Database, extract_id: int) -> tuple:
    return db.rows("SELECT status, is_current, failure_message FROM extracts_extract WHERE id = %s", [extract_id])[0]


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"Timed out waiting for {what}. Import log:\n{log.read_text()[-4000:]}")


def test_a_killed_import_leaves_the_previous_extract_current_with_its_rows(database, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "safeguard.settings.base",
        "DJANGO_SECRET_KEY": "kill-test-secret-key-0123456789-0123456789-0123456789",
        "DATABASE_URL": database.url,
        "SAFEGUARD_VAR_DIR": str(tmp_path),
        "SAFEGUARD_EXTRACT_ROOT": str(tmp_path / "extracts"),
        "SAFEGUARD_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True, text=True, timeout=300
        )
        return done.stdout

    def generate(children: int, seed: int) -> Path:
        path = tmp_path / f"census-{children}.xml"
        manage("generate_cin_census", "--children", str(children), "--seed", str(seed), "--error-rate", "0",
               "--year", "2025", "--la", "931", "--output", str(path))  # fmt: skip
        return path

    manage("migrate", "--noinput", "-v0")
    manage("shell", "-c", SETUP)
    small, big = generate(300, 1), generate(BIG, 2)

    first = manage("shell", "-c", IMPORT.format(path=str(small))).strip().splitlines()[-1]
    assert '"status": "loaded"' in first, first
    old_id = int(first.split('"extract_id": ')[1].split(",")[0])
    old_rows = _row_counts(database, old_id)
    assert old_rows["extracts_censuschild"] == 300 and _extract(database, old_id)[:2] == ("loaded", True)

    log = tmp_path / "import.log"
    with log.open("w") as out:
        importer = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", IMPORT.format(path=str(big))],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        _wait_for(lambda: "Saved " in log.read_text(), 240, "the import to start saving rows", log)
        importer.send_signal(signal.SIGKILL)  # mid-load: rows written, transaction open
        importer.wait(timeout=30)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait(timeout=30)
    assert importer.returncode == -signal.SIGKILL
    assert "Saved 20,000 children" not in log.read_text()  # killed before the load finished

    new_id = database.rows("SELECT MAX(id) FROM extracts_extract")[0][0]
    assert new_id != old_id
    assert _extract(database, new_id)[:2] == ("importing", False)
    assert _row_counts(database, new_id) == dict.fromkeys(CHILD_TABLES, 0)
    assert _extract(database, old_id)[:2] == ("loaded", True)
    assert _row_counts(database, old_id) == old_rows
    if database.vendor == "sqlite":
        assert database.rows("PRAGMA integrity_check") == [("ok",)]

    assert manage("shell", "-c", STALLED).strip().splitlines()[-1] == "1"
    status, current, message = _extract(database, new_id)
    assert (status, current) == ("failed", False)
    assert message == "The import stopped before it finished; upload the file again."

    again = manage("shell", "-c", IMPORT.format(path=str(small))).strip().splitlines()[-1]  # the tables are free again
    assert '"status": "loaded"' in again, again
    assert _extract(database, old_id)[:2] == ("superseded", False)
    assert _row_counts(database, old_id) == old_rows
