"""CIN census rules: episodes."""
