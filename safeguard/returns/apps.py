from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "safeguard.returns"
    label = "returns"
    verbose_name = "Multi-agency data set and agency returns"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, rules, tasks  # noqa: F401  (rules: page permissions; tasks: the daily chase job)

        # The data set's definition and every figure an agency enters are decision data: audited.
        for model in (
            models.DataSetSettings,
            models.Theme,
            models.DataSetIndicator,
            models.AgencyReturn,
            models.EscalationContact,
        ):
            auditlog.register(model, exclude_fields=["updated_at", "created_at"])
        auditlog.register(models.ReturnValue, exclude_fields=["updated_at", "created_at"])
        auditlog.register(models.Commentary, exclude_fields=["updated_at", "created_at"])
