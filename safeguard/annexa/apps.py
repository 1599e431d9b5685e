from django.apps import AppConfig


class AnnexAConfig(AppConfig):
    name = "safeguard.annexa"
    label = "annexa"
    verbose_name = "Ofsted Annex A"
