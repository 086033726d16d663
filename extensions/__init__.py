"""Jinja extensions of the template: filters, answer checks and context defaults."""
