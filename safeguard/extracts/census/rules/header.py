"""CIN census rules: header."""
