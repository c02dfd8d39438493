"""The scope of a model reference, classified from its path: shipped code or not.

Deciding where a file belongs is classification, done here once per run; what each scope means
for a rule's action is policy and lives in Rego (`by_scope` in rego/aiospo/defaults/defaults.rego and in
`.aiospo.yaml`), as dependency-review-action's `fail-on-scopes` separates runtime from
development dependencies.

Patterns use gitignore syntax (as `exclude` does): `tests/` is a folder of that name at any
depth, `test_*.py` a file name anywhere. `.aiospo.yaml`'s `scopes:` maps a scope to patterns
checked, in the order written, before the defaults; a path nothing matches is `runtime`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

SCOPES = ("runtime", "test", "example", "docs", "notebook", "script")

# The folders and names people expect, checked in this order (a notebook under tests/ is a test).
DEFAULT_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("test", ("tests/", "test/", "testing/", "test_*.py", "*_test.py", "conftest.py", "*.test.js", "*.test.ts", "*.spec.js", "*.spec.ts")),
    ("notebook", ("*.ipynb",)),
    ("example", ("examples/", "example/", "samples/")),
    ("docs", ("docs/", "doc/")),
    ("script", ("scripts/", "benchmarks/")),
)


class ScopeClassifier:
    """scope_of(relative path) -> scope, with the configuration's patterns first."""

    def __init__(self, configured: Mapping[str, Sequence[str]] | None = None) -> None:
        self.configured = tuple((scope, tuple(patterns)) for scope, patterns in (configured or {}).items())
        self._seen: dict[str, str] = {}

    @cached_property
    def _specs(self):
        import pathspec

        from aiospo_ci.errors import ConfigError

        specs = []
        for scope, patterns in self.configured + DEFAULT_PATTERNS:
            try:
                specs.append((scope, pathspec.GitIgnoreSpec.from_lines(patterns)))
            except ValueError as exc:  # pathspec's GitWildMatchPatternError
                raise ConfigError(f"scopes.{scope}: {exc}; write gitignore-style patterns such as 'demos/' or '*_demo.py'.") from None
        return specs

    def scope_of(self, path: str) -> str:
        if path not in self._seen:
            self._seen[path] = next((scope for scope, spec in self._specs if spec.match_file(path)), "runtime")
        return self._seen[path]


def classifier_for(config: Mapping[str, object]) -> ScopeClassifier:
    """The classifier a run's configuration asks for (`scopes:`, validated by the schema)."""
    scopes = config.get("scopes")
    return ScopeClassifier(scopes if isinstance(scopes, Mapping) else None)
