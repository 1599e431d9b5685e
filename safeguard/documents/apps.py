from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "safeguard.documents"
    label = "documents"
    verbose_name = "Documents library"
