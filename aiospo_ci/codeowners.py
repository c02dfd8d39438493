"""Who owns a file, as the repository's CODEOWNERS file says.

GitHub's rules: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` is used;
each line is `pattern owner...`; patterns follow gitignore syntax; the LAST matching line wins,
and a matching line with no owners makes the path unowned. One difference from gitignore:
`docs/*` matches the files directly in docs/ but not those in its subfolders (gitignore would
match the subfolder and so everything under it), handled in `_Rule.matches`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Where GitHub looks, in its order of preference.
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class _Rule:
    pattern: str
    owners: tuple[str, ...]
    line: int

    def matches(self, relpath: str) -> bool:
        spec = _spec(self.pattern)
        if spec is None or not spec.match_file(relpath):
            return False
        if self.pattern.endswith("/*") and "**" not in self.pattern:
            # `dir/*` owns dir's own files only, not files in its subfolders.
            depth = len([s for s in self.pattern.strip("/").split("/") if s])
            return len(relpath.split("/")) == depth
        return True


_SPECS: dict = {}


def _spec(pattern: str):
    spec = _SPECS.get(pattern)
    if spec is None:
        import pathspec

        try:
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        except Exception:  # noqa: BLE001 - GitHub skips a line it cannot parse; so do we (it matches nothing)
            spec = False
        _SPECS[pattern] = spec
    return spec or None


def _split_line(raw: str) -> list[str]:
    """Whitespace-separated fields; `\\ ` keeps a space in a pattern and a `#` that is not
    escaped starts a comment."""
    fields: list[str] = []
    current = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            current.append(raw[i + 1] if raw[i + 1] in " #" else raw[i : i + 2])
            i += 2
            continue
        if ch == "#":
            break
        if ch.isspace():
            if current:
                fields.append("".join(current))
                current = []
        else:
            current.append(ch)
        i += 1
    if current:
        fields.append("".join(current))
    return fields


class CodeOwners:
    """The parsed rules of one CODEOWNERS file (empty when the repository has none)."""

    def __init__(self, rules: list[_Rule], source: str | None = None) -> None:
        self.rules = rules
        self.source = source  # the file's path relative to the root, for reports

    @classmethod
    def parse(cls, text: str, source: str | None = None) -> CodeOwners:
        rules = []
        for number, raw in enumerate(text.splitlines(), start=1):
            fields = _split_line(raw)
            if not fields:
                continue
            # Owners are @user, @org/team or an e-mail; anything else on the line is ignored
            # by GitHub too (it reports the line as an error), so we keep only well-formed ones.
            owners = tuple(o for o in fields[1:] if o.startswith("@") or "@" in o)
            rules.append(_Rule(pattern=fields[0], owners=owners, line=number))
        return cls(rules, source)

    @classmethod
    def load(cls, root: Path) -> CodeOwners:
        for location in CODEOWNERS_LOCATIONS:
            path = root / location
            if path.is_file():
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:  # unreadable: the inventory goes on without owners
                    continue
                return cls.parse(text, location)
        return cls([], None)

    def owners(self, relpath: str) -> tuple[str, ...]:
        """The owners of a '/'-separated path relative to the root (last matching rule wins)."""
        relpath = relpath.lstrip("/")
        for rule in reversed(self.rules):
            if rule.matches(relpath):
                return rule.owners
        return ()
