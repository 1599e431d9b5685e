from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "safeguard.workdays"
    label = "workdays"
    verbose_name = "Working-day calendar"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, tasks  # noqa: F401  (tasks: registers the scheduled refresh)

        auditlog.register(models.ClosureDay, exclude_fields=["updated_at", "created_at"])
