"""CIN census rules: file level."""
