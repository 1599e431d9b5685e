from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "safeguard.indicators"
    label = "indicators"
    verbose_name = "Indicators and the child protection process review"

    def ready(self) -> None:
        import rules
        from auditlog.registry import auditlog

        from safeguard.partnerships.models import Locality

        from . import models, receivers, selectors, tasks  # noqa: F401  (receivers: extract_loaded; tasks: daily job)

        # Permissions of the pages (the predicates live with the reads in selectors.py).
        rules.set_perm("indicators.view_indicators", rules.predicate(selectors.can_view_indicators))
        rules.set_perm("indicators.manage_reference_data", rules.predicate(selectors.can_manage_reference_data))
        # Localities are edited from this module's pages; the area settings decide which published
        # figures the partnership is compared with. Both are audited.
        auditlog.register(Locality, exclude_fields=["updated_at", "created_at"])
        auditlog.register(models.IndicatorSettings, exclude_fields=["updated_at", "created_at"])
