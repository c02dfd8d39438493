"""Errors that stop a run before a verdict. Each carries one sentence naming the file,
key or value and the fix; the CLI prints it and exits 2 (never 0: no verdict was reached)."""


class AiospoError(Exception):
    """A run-level failure that prevents a verdict (exit code 2)."""


class ConfigError(AiospoError):
    """The configuration file is missing, unreadable or fails the schema."""


class HubError(AiospoError):
    """The Hub could not be asked and the configuration says to fail closed."""


class PolicyError(AiospoError):
    """A policy failed to load or compile, or the engine gave no decision."""
