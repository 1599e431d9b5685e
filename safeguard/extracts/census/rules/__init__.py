"""Every CIN census validation rule, one small function each, grouped by what they check.

Importing this package registers the rules with ``safeguard.extracts.census.validation``.
"""
