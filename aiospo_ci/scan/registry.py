"""The scanners, in one list: a new kind of file is one module plus one line here.

Scanner modules import only the standard library at import time (YAML, TOML and picklescan are
imported inside `scan`), so listing them costs little on the pre-commit path.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator

from aiospo_ci.scan.configs import EnvScanner, JsonScanner, ModelCardScanner, TomlScanner, YamlScanner
from aiospo_ci.scan.interface import Scanner
from aiospo_ci.scan.javascript import JavaScriptScanner
from aiospo_ci.scan.notebook import NotebookScanner
from aiospo_ci.scan.python import PythonScanner
from aiospo_ci.scan.shebang import ShebangScanner
from aiospo_ci.scan.shell import MarkdownShellScanner, ModelfileScanner, RequirementsScanner, ShellScanner
from aiospo_ci.scan.weights import WeightsScanner

_BY_NAME: tuple[Scanner, ...] = (
    PythonScanner(),
    NotebookScanner(),
    YamlScanner(),
    JsonScanner(),
    TomlScanner(),
    ModelCardScanner(),
    EnvScanner(),
    ShellScanner(),
    ModelfileScanner(),
    MarkdownShellScanner(),
    RequirementsScanner(),
    JavaScriptScanner(),
    WeightsScanner(),
)
# Scripts without an extension go to the Python or shell scanner their `#!` line names.
_SHEBANG = ShebangScanner(_BY_NAME[0], _BY_NAME[7], _BY_NAME)
SCANNERS: tuple[Scanner, ...] = (*_BY_NAME, _SHEBANG)


def _extension_lowered(relpath: str) -> str:
    """`src/APP.PY` as `src/APP.py`: Python runs a file whatever the case of its extension, and
    Windows and macOS checkouts do not tell the two apart, so neither does the scan."""
    folder, slash, base = relpath.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot or extension.islower() or not any(c.isupper() for c in extension):
        return relpath  # the same object: scanners_for asks once
    return f"{folder}{slash}{stem}{dot}{extension.lower()}"


def _named_scanners(relpath: str) -> Iterator[Scanner]:
    """The scanners other than the shebang scanner that claim this path, its extension in any case."""
    lowered = _extension_lowered(relpath)
    return (s for s in _BY_NAME if s.handles(relpath) or (lowered is not relpath and s.handles(lowered)))


def _extensionless(relpath: str) -> bool:
    return "." not in relpath[relpath.rfind("/") + 1:]


def scanners_for(relpath: str) -> tuple[Scanner, ...]:
    """The scanners that read a file at this relative path (often none). Called for every file a
    walk lists, so the shebang scanner, which claims only what no other scanner does, is asked
    last and only about names without a dot."""
    found = tuple(_named_scanners(relpath))
    return found if found or not _extensionless(relpath) else (_SHEBANG,)


def is_wanted(relpath: str) -> bool:
    """scanners_for(relpath) is not empty, stopping at the first scanner that claims the path
    (this runs for every file a walk lists)."""
    return next(_named_scanners(relpath), None) is not None or _extensionless(relpath)


def fingerprint() -> str:
    """Part of every cache key: a result cached by another scanner version is never reused."""
    from aiospo_ci import __version__

    h = hashlib.sha256()
    h.update(f"{__version__}|{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for s in SCANNERS:
        h.update(f"|{s.name}:{s.version}".encode())
    # The scan package's own source: an edited scanner never meets results of its old self, even
    # when nobody bumped a version (about a millisecond to read).
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("*.py")):
        try:
            h.update(path.name.encode() + path.read_bytes())
        except OSError:
            pass
    import dataclasses

    from aiospo_ci.scan.python_apis import APIS

    for api in APIS:  # an edited API table invalidates the cache without a version bump
        for f in dataclasses.fields(api):
            v = getattr(api, f.name)
            h.update(repr(sorted(v) if isinstance(v, frozenset) else v).encode())
    return h.hexdigest()[:16]
