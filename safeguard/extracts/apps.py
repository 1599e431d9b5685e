from django.apps import AppConfig


class ExtractsConfig(AppConfig):
    name = "safeguard.extracts"
    label = "extracts"
    verbose_name = "Statutory extracts (CIN census, Annex A)"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Extracts are decisions (which data the partnership's figures come from): their changes are
        # audited. Child-level rows are never edited after a load; every read of them is written to
        # the access log instead (safeguard.audit.services.access_log_record).
        auditlog.register(models.Extract, include_fields=["status", "is_current", "locality_lookup_name"])
