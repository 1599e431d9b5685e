from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "safeguard.workspace"
    label = "workspace"
    verbose_name = "Workspace"
