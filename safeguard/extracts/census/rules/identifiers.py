"""CIN census rules: identifiers."""
