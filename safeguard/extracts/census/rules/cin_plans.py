"""CIN census rules: cin plans."""
