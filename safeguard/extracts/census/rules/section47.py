"""CIN census rules: section47."""
