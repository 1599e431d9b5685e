"""Background jobs of statutory extracts (run by ``manage.py run_worker``)."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled

from . import services
from .models import Extract


@task()
def import_extract(extract_id: int) -> str:
    """Import an uploaded CIN census file (queued by ``services.extract_upload``). Running it twice
    does nothing the second time: only a pending extract is imported."""
    extract = Extract.objects.filter(pk=extract_id).first()
    if extract is None:
        return "gone"
    return services.extract_import(extract=extract).status


@scheduled(every=dt.timedelta(minutes=5))
@task()
def fail_stalled_imports() -> int:
    """Mark imports that stopped mid-way (a killed worker, a restart) as failed, so the uploader
    sees what happened and uploads again. The previous extract stayed current throughout."""
    return services.extracts_fail_stalled()
