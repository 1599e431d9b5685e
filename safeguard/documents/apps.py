from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "safeguard.documents"
    label = "documents"
    verbose_name = "Documents library"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Document, exclude_fields=["updated_at", "created_at"])
        auditlog.register(models.DocumentVersion, exclude_fields=["updated_at", "created_at"])
