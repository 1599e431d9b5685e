from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safeguard.api"
    label = "api"
    verbose_name = "API"
