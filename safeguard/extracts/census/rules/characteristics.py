"""CIN census rules: characteristics."""
