"""Files `aiospo-ci init` writes (package data)."""
