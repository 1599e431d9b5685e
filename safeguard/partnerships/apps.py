from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "safeguard.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Partnership,
            models.Agency,
            models.Group,
            models.Person,
            models.Membership,
            models.Contact,
            models.RoleAssignment,
        ):
            auditlog.register(model, exclude_fields=["updated_at", "created_at"])
