"""CIN census rules: assessments."""
