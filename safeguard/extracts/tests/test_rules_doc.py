from pathlib import Path

from safeguard.extracts.census.rules_doc import render_rules_markdown
from safeguard.extracts.census.validation import all_rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def test_docs_rules_md_lists_every_registered_rule_as_the_code_has_it():
    assert DOC.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is out of date: run `.venv/bin/python scripts/write_rules_doc.py`."
    )


def test_every_rule_has_a_title_and_a_fix_in_our_words():
    for r in all_rules():
        assert r.title.strip() and r.fix.strip(), r.code
