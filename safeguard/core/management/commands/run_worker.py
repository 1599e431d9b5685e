"""The task worker: runs queued tasks, enqueues scheduled jobs and writes a heartbeat.

`make run` starts it beside the web server; in production run it as its own service
(see README, "Deployment").
"""

import logging
import os
import socket
import threading
import uuid

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands.db_worker import Worker

from safeguard.core.models import WorkerHeartbeat
from safeguard.core.scheduler import run_due_jobs

logger = logging.getLogger(__name__)


def worker_heartbeat(*, worker_id: str, started) -> WorkerHeartbeat:
    """Record that this worker is alive (read by /healthz)."""
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started,
            "last_seen": timezone.now(),
        },
    )
    return beat


class Command(BaseCommand):
    help = "Run the background task worker with the scheduler and heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--tick", type=float, default=15.0, help="Seconds between scheduler ticks and heartbeats.")

    def handle(self, *args, interval, tick, **options):
        autodiscover_modules("tasks")
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        started = timezone.now()
        stop = threading.Event()

        def beat_and_schedule():
            while not stop.is_set():
                close_old_connections()
                try:
                    worker_heartbeat(worker_id=worker_id, started=started)
                    run_due_jobs()
                except Exception:  # keep the worker alive; logged with its traceback
                    logger.exception("Scheduler tick failed; retrying at the next tick.")
                stop.wait(tick)

        thread = threading.Thread(target=beat_and_schedule, name="scheduler", daemon=True)
        thread.start()
        self.stdout.write(f"Task worker {worker_id} started ({len(apps.get_app_configs())} apps).")
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
