from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "safeguard.public"
    label = "public"
    verbose_name = "Public practitioner site"
