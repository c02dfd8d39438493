"""From references and their Hub facts to edits, and from edits to new file texts.

What can be fixed mechanically, with the facts that make it safe:
- an unpinned or branch-pinned Hub reference gets the full commit the Hub (or aiospo.lock) gave:
  the commit its branch resolves to, or the default branch's head for no revision;
- trust_remote_code=True is removed where the repository ships no custom code;
- use_safetensors=False becomes True where the repository has safetensors.
A revision given by a variable, a call without a revision argument, a notebook or a shell line
is left alone and listed with the reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aiospo_ci.fix.interface import Edit, FileFixer, Skipped
from aiospo_ci.model import HubFacts, ModelReference

_SHA = re.compile(r"^[0-9a-f]{40}$")


def fixers() -> tuple[FileFixer, ...]:
    from aiospo_ci.fix.json_config import JsonFixer
    from aiospo_ci.fix.python import PythonFixer
    from aiospo_ci.fix.yaml_config import YamlFixer

    return (PythonFixer(), YamlFixer(), JsonFixer())


def _commit(ref: ModelReference, facts: HubFacts | None) -> str | None:
    if facts is None or facts.status != "ok":
        return None
    for candidate in (facts.resolved_commit, facts.sha if ref.pin == "none" else None):
        if isinstance(candidate, str) and _SHA.match(candidate):
            return candidate
    return None


def _revision_keyword(ref: ModelReference) -> str | None:
    """The keyword the loader takes a revision by (None: it takes none), from the scanner's table."""
    if ":" in ref.call:  # yaml:base_model, json:base_model_name_or_path: the config's own key
        return "revision" if ref.call.split(":", 1)[0] in ("yaml", "json") else None
    api = _api_index().find(ref.call)
    return api.revision_kw if api is not None else None


@cache
def _api_index():
    from aiospo_ci.scan.python_apis import ApiIndex

    return ApiIndex()


def edits_for(references: Sequence[ModelReference], facts: Sequence[HubFacts | None]) -> tuple[list[Edit], list[Skipped]]:
    """The edits the facts justify, and the references that need one but cannot get it."""
    edits: list[Edit] = []
    skipped: list[Skipped] = []
    for ref, fact in zip(references, facts):
        if ref.source != "huggingface":
            continue
        wanted: list[Edit] = []
        if ref.pin in ("none", "mutable"):
            sha = _commit(ref, fact)
            keyword = _revision_keyword(ref)
            edit = Edit(ref.file, ref.line, ref.column, ref.id, "pin", sha, keyword or "revision")
            if ref.cell is not None:
                skipped.append(Skipped(edit, "notebook cells are not rewritten: pin it in the notebook"))
            elif "revision_from_variable" in ref.flags:
                skipped.append(Skipped(edit, "the revision comes from a variable: pin the value it is set to"))
            elif keyword is None:
                skipped.append(Skipped(edit, f"{ref.call} takes no revision argument"))
            elif sha is None:
                skipped.append(Skipped(edit, "no commit known: run once online (or `aiospo-ci lock`) so the Hub's answer is recorded"))
            else:
                wanted.append(edit)
        if "trust_remote_code" in ref.flags and fact is not None and fact.status == "ok" and fact.has_custom_code is False:
            wanted.append(Edit(ref.file, ref.line, ref.column, ref.id, "drop_trust_remote_code"))
        if "use_safetensors_false" in ref.flags and fact is not None and fact.has_safetensors is True:
            wanted.append(Edit(ref.file, ref.line, ref.column, ref.id, "use_safetensors"))
        if ref.cell is not None:
            skipped += [Skipped(e, "notebook cells are not rewritten") for e in wanted if e.action != "pin"]
            continue
        edits += wanted
    return edits, skipped


@dataclass(frozen=True)
class FixResult:
    """New texts per file (only files that change), what was done and what was not."""

    changed: dict[str, tuple[str, str]]  # relpath -> (old text, new text)
    applied: tuple[Edit, ...]
    skipped: tuple[Skipped, ...]

    def diff(self) -> str:
        out: list[str] = []
        for path in sorted(self.changed):
            old, new = self.changed[path]
            out += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def apply_edits(root: Path, edits: Sequence[Edit], skipped: Sequence[Skipped] = ()) -> FixResult:
    """Run each file's edits through its fixer. Reads the files; writes nothing."""
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        by_file.setdefault(edit.file, []).append(edit)
    changed: dict[str, tuple[str, str]] = {}
    applied: list[Edit] = []
    not_done: list[Skipped] = list(skipped)
    available = fixers()
    inside = root.resolve()
    for path in sorted(by_file):
        fixer = next((f for f in available if f.handles(path)), None)
        if fixer is None:
            not_done += [Skipped(e, "this kind of file is not rewritten") for e in by_file[path]]
            continue
        if (root / path).is_symlink() or not (root / path).resolve().is_relative_to(inside):
            # a link may point anywhere: fixing writes only to files that are the repository's own
            not_done += [Skipped(e, "the file is a symbolic link; fix the file it points to") for e in by_file[path]]
            continue
        try:
            raw = (root / path).read_bytes()
            old = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            not_done += [Skipped(e, f"cannot read the file ({exc})") for e in by_file[path]]
            continue
        outcome = fixer.fix(old, by_file[path])
        applied += outcome.applied
        not_done += outcome.skipped
        if outcome.text != old:
            changed[path] = (old, outcome.text)
    return FixResult(changed, tuple(applied), tuple(not_done))


def write(root: Path, result: FixResult) -> None:
    for path, (_, new) in sorted(result.changed.items()):
        target = root / path
        target.write_bytes(new.encode("utf-8"))
