"""Fixtures shared by the whole suite. Each stage registers its test servers here in one line."""

from tests.support.hub_server import hub_server  # noqa: F401  the local Hub (see its docstring)
