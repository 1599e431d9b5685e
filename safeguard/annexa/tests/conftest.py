import pytest


@pytest.fixture(autouse=True)
def extract_root(settings, tmp_path):
    """Uploaded workbooks wait in this test's own temporary folder, never in var/."""
    settings.SAFEGUARD_EXTRACT_ROOT = tmp_path / "extracts"
    return settings.SAFEGUARD_EXTRACT_ROOT
