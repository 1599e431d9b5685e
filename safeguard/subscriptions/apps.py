from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "safeguard.subscriptions"
    label = "subscriptions"
    verbose_name = "Update subscriptions"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, receivers  # noqa: F401  (connects the release_published receiver)

        # The address is never copied into the (append-only) audit log: it is erased on unsubscribe.
        auditlog.register(models.Subscriber, exclude_fields=["email", "address_key", "created_at", "updated_at"])
        # Only staff decisions are saved through the model (the worker uses UPDATE), so only they are audited.
        auditlog.register(models.Delivery, exclude_fields=["address_key", "created_at", "updated_at", "message_id"])
