"""Shared test helpers (local servers that speak real protocols, fixture loaders)."""
