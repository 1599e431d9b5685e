"""Settings for the test suite: fast hashing, local e-mail, the database from DATABASE_URL."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdef")
os.environ.setdefault("SAFEGUARD_EMAIL", "console")

from .base import *  # noqa: F403

DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
STATIC_ROOT = None
# Uploaded test documents go to a throw-away folder, never into var/.
SAFEGUARD_DOCUMENT_ROOT = Path(tempfile.mkdtemp(prefix="safeguard-test-documents-"))
SAFEGUARD_EXTRACT_ROOT = Path(tempfile.mkdtemp(prefix="safeguard-test-extracts-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo's CIN census files at 2% of their usual size (tests that load the demo check it loads, not its volume).
SAFEGUARD_DEMO_CENSUS_SCALE = 0.02
