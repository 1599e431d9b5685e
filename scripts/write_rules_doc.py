"""Rewrite docs/rules.md from the validation rule registry: `.venv/bin/python scripts/write_rules_doc.py`."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings.test")

import django  # noqa: E402

django.setup()

from safeguard.extracts.census.rules_doc import render_rules_markdown  # noqa: E402

(ROOT / "docs" / "rules.md").write_text(render_rules_markdown(), encoding="utf-8")
print("docs/rules.md written")
