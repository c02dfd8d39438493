"""Maintenance scripts shipped with the package (documentation generators)."""
