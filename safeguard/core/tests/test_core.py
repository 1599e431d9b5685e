import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from safeguard.core import scheduler
from safeguard.core.models import ScheduledJobRun, WorkerHeartbeat
from safeguard.settings import env

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_healthz_is_503_until_a_worker_beats(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "worker": "no worker has started"}


@pytest.mark.django_db
def test_healthz_is_200_with_a_recent_heartbeat_and_503_with_a_stale_one(client):
    now = timezone.now()
    beat = WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1, started_at=now, last_seen=now)
    assert client.get("/healthz").status_code == 200
    beat.last_seen = now - dt.timedelta(minutes=10)
    beat.save()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("no heartbeat since")


@pytest.mark.django_db
def test_a_scheduled_slot_is_enqueued_once_however_often_the_scheduler_ticks():
    calls = []

    class FakeTask:
        def enqueue(self):
            calls.append(1)

    job = scheduler.ScheduledJob(name="test.job", every=dt.timedelta(hours=1), task=FakeTask())
    saved = dict(scheduler.REGISTRY)
    scheduler.REGISTRY.clear()
    scheduler.REGISTRY[job.name] = job
    try:
        at = dt.datetime(2026, 12, 25, 9, 5, tzinfo=dt.UTC)
        assert scheduler.run_due_jobs(at) == ["test.job"]
        assert scheduler.run_due_jobs(at + dt.timedelta(minutes=50)) == []
        assert scheduler.run_due_jobs(at + dt.timedelta(minutes=56)) == ["test.job"]
    finally:
        scheduler.REGISTRY.clear()
        scheduler.REGISTRY.update(saved)
    assert len(calls) == 2
    assert ScheduledJobRun.objects.filter(job="test.job").count() == 2


def test_housekeeping_job_is_registered():
    import safeguard.core.tasks  # noqa: F401

    assert "safeguard.core.tasks.prune_housekeeping" in scheduler.REGISTRY


@pytest.mark.parametrize(
    ("func", "args", "value", "message"),
    [
        (env.env_bool, ("X_FLAG",), "maybe", "X_FLAG must be true or false"),
        (env.env_int, ("X_NUM", 5), "five", "X_NUM must be a whole number"),
        (env.env_int, ("X_NUM", 5), "0", "X_NUM must be at least 1"),
        (env.env_choice, ("X_MAIL", ["smtp", "console"], "console"), "pigeon", "X_MAIL must be one of smtp, console"),
    ],
)
def test_a_bad_setting_names_the_variable(monkeypatch, func, args, value, message):
    monkeypatch.setenv(args[0], value)
    kwargs = {"minimum": 1} if func is env.env_int else {}
    with pytest.raises(ImproperlyConfigured, match=message):
        func(*args, **kwargs)


def _run_django(args, **extra_env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEGUARD_"))}
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_start_up_stops_with_a_message_naming_a_bad_variable():
    result = _run_django(["check"], DJANGO_SETTINGS_MODULE="safeguard.settings.base", SAFEGUARD_DEMO_MODE="perhaps")
    assert result.returncode != 0
    assert "SAFEGUARD_DEMO_MODE must be true or false" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_django(["check"], DJANGO_SETTINGS_MODULE="safeguard.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist_with_no_warnings():
    result = _run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="safeguard.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "-production-like-secret-key-for-the-check-0123456789",
        DJANGO_ALLOWED_HOSTS="safeguard.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/safeguard-deploy-check.sqlite3"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_demo_mode():
    result = _run_django(
        ["check"],
        DJANGO_SETTINGS_MODULE="safeguard.settings.production",
        SAFEGUARD_DEMO_MODE="1",
        DJANGO_SECRET_KEY="y" * 60,
    )
    assert result.returncode != 0
    assert "SAFEGUARD_DEMO_MODE must be false in production" in result.stderr
