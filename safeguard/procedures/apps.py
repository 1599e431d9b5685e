from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "safeguard.procedures"
    label = "procedures"
    verbose_name = "Procedures manual"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (models.Manual, models.Chapter, models.ChapterVersion, models.Release, models.ReleaseChange):
            auditlog.register(model, exclude_fields=["updated_at", "created_at", "body_html"])
