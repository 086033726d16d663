"""The template's own test suite."""
