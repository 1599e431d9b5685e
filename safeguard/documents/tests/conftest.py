import pytest


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    """Every test stores library files in its own temporary folder, never in var/."""
    settings.SAFEGUARD_DOCUMENT_ROOT = tmp_path / "documents"
    return settings.SAFEGUARD_DOCUMENT_ROOT
