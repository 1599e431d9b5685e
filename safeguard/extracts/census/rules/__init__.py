"""Every CIN census validation rule, one small function each, grouped by what they check.

Importing this package registers the rules with ``safeguard.extracts.census.validation``.
"""

from . import (  # noqa: F401  (imported to register the rules)
    assessments,
    characteristics,
    cin_plans,
    cp_plans,
    episodes,
    file_level,
    header,
    identifiers,
    section47,
)
