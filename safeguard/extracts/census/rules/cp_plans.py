"""CIN census rules: cp plans."""
