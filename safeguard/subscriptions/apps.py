from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "safeguard.subscriptions"
    label = "subscriptions"
    verbose_name = "Update subscriptions"
