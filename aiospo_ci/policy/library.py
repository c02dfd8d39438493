"""Find and read the Rego policy library (rego/) and the user's policy folders.

The library ships inside the package as ``aiospo_ci/_rego`` (or ``aiospo_ci/rego``) and sits
at ``rego/`` in a source checkout. Modules are returned as ``{name: source}`` with names that
are paths a person can open, in a fixed order so every engine sees the same input.

Data files follow OPA's bundle convention, so ``opa run``/``opa test`` on the same folders
load the same data: a file named ``data.json`` is placed at the path of its folder relative
to the folder given (``policies/orgs/data.json`` -> ``data.orgs``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from aiospo_ci.errors import PolicyError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
_LIBRARY_LABEL = "rego"
_SKIP_DIRS = {"__pycache__", "node_modules"}


#: The decision's module, relative to the library folder: one folder per package, as Regal
#: lays a policy repository out (rego/aiospo/rules/license/license.rego is aiospo.rules.license).
DECISION_MODULE = "aiospo/main/main.rego"


def library_dir() -> Path:
    """The folder holding the policy library (aiospo/main/main.rego and its packages)."""
    candidates = (
        _PACKAGE_DIR / "_rego",  # installed wheel (package data)
        _PACKAGE_DIR / "rego",
        _PACKAGE_DIR.parent / "rego",  # source checkout / editable install
    )
    for candidate in candidates:
        if (candidate / DECISION_MODULE).is_file():
            return candidate
    raise PolicyError(
        f"the policy library was not found (looked for {DECISION_MODULE} in {', '.join(str(c) for c in candidates)}); reinstall aiospo-ci."
    )


def _is_test(path: Path) -> bool:
    return path.name.endswith("_test.rego")


def _walk(root: Path, suffix: str) -> Iterator[Path]:
    """Files under root ending in suffix, sorted by their '/'-separated relative path."""
    if root.is_file():
        if root.name.endswith(suffix):
            yield root
        return
    found = []
    for path in root.rglob(f"*{suffix}"):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part in _SKIP_DIRS for part in rel.parts[:-1]):
            continue
        if path.is_file():
            found.append((rel.as_posix(), path))
    for _, path in sorted(found):
        yield path


def _roots(extra_dirs: Sequence[Path], with_library: bool) -> list[tuple[str, Path]]:
    """(label, folder) pairs: the library first, then each extra folder as given, once each."""
    roots: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    if with_library:
        lib = library_dir()
        roots.append((_LIBRARY_LABEL, lib))
        seen.add(lib.resolve())
    for d in extra_dirs:
        d = Path(d)
        if not d.exists():
            raise PolicyError(f"policy folder {d}: does not exist; fix --policy or policy_dirs in the configuration.")
        resolved = d.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        roots.append((d.as_posix(), d))
    return roots


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the policy file as UTF-8.") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror or exc}); check that it exists and is readable.") from None


def _module_name(label: str, root: Path, path: Path) -> str:
    if root.is_file():
        return label
    return f"{label}/{path.relative_to(root).as_posix()}"


def load_modules(
    extra_dirs: Sequence[Path] = (),
    *,
    include_tests: bool = False,
    with_library: bool = True,
) -> dict[str, str]:
    """Rego modules of the library and the extra folders: module name -> source.

    Names are paths (``rego/aiospo/rules/license/license.rego``, ``policies/org.rego``); ``*_test.rego`` files
    are left out unless include_tests. The dict's order is fixed: library first, then each
    folder in the order given, files sorted by path."""
    modules: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for label, root in _roots(extra_dirs, with_library):
        for path in _walk(root, ".rego"):
            name = _module_name(label, root, path)
            if _is_test(path) and not include_tests:
                if label != _LIBRARY_LABEL:
                    skipped[name] = _read(path)
                continue
            if name in modules:
                raise PolicyError(f"{path}: two policy files load as module {name}; rename one of them.")
            modules[name] = _read(path)
    if skipped:
        from aiospo_ci.policy.authoring import check_skipped_tests

        check_skipped_tests(skipped)
    return modules


#: A custom policy's configuration schema: beside its rule file, it describes `custom.<name>`.
CONFIG_SCHEMA = "config.schema.json"


def config_schemas(extra_dirs: Sequence[Path]) -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (schema file, JSON Schema) for every `config.schema.json` in the policy folders.
    The schema describes `custom.<name>` of the configuration, where `aiospo.rules.<name>` is
    the rule package whose files sit in the same folder."""
    import jsonschema

    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for _, root in _roots(extra_dirs, with_library=False):
        for path in _walk(root, CONFIG_SCHEMA):
            if path.name != CONFIG_SCHEMA:
                continue
            packages = set()
            for rego in path.parent.glob("*.rego"):
                if _is_test(rego):
                    continue
                match = re.search(r"^package\s+aiospo\.rules\.([A-Za-z_]\w*)\s*$", _read(rego), re.MULTILINE)
                if match:
                    packages.add(match.group(1))
            if len(packages) != 1:
                held = ", ".join(sorted(packages)) or "none"
                raise PolicyError(
                    f"{path}: a configuration schema describes custom.<name> of the one rule package (package aiospo.rules.<name>) "
                    f"in its folder, and this folder holds {held}; move it beside the rule file it configures."
                )
            try:
                schema = json.loads(_read(path))
                jsonschema.Draft202012Validator.check_schema(schema)
            except ValueError as exc:
                raise PolicyError(f"{path}: not valid JSON ({exc}); fix the schema.") from None
            except jsonschema.SchemaError as exc:
                raise PolicyError(f"{path}: not a valid JSON Schema ({exc.message}); fix the schema.") from None
            name = packages.pop()
            if name in found:
                raise PolicyError(f"{path}: custom.{name} already has a schema in {found[name][0]}; keep one.")
            found[name] = (path.as_posix(), schema)
    return found


def _merge(into: dict[str, Any], value: dict[str, Any], where: str) -> None:
    for key, item in value.items():
        if key in into and isinstance(into[key], dict) and isinstance(item, dict):
            _merge(into[key], item, f"{where}.{key}")
        elif key in into:
            raise PolicyError(f"{where}.{key} is defined by two data files; keep one.")
        else:
            into[key] = item


def load_data(extra_dirs: Sequence[Path] = (), *, with_library: bool = True) -> dict[str, Any]:
    """The base data document from ``data.json`` files, each placed at its folder's path
    relative to the folder given (OPA's bundle layout). The library itself keeps its data in
    Rego modules (rego/aiospo/defaults/, rego/aiospo/catalogue/), so this is {} unless a user folder brings data."""
    data: dict[str, Any] = {}
    for _, root in _roots(extra_dirs, with_library):
        base = root if root.is_dir() else root.parent
        for path in _walk(root, "data.json"):
            if path.name != "data.json":
                continue
            try:
                value = json.loads(_read(path))
            except ValueError as exc:
                raise PolicyError(f"{path}: not valid JSON ({exc}); fix the data file.") from None
            parts = [p for p in path.parent.relative_to(base).parts if p not in ("", ".")]
            for part in reversed(parts):
                value = {part: value}
            if not isinstance(value, dict):
                raise PolicyError(f"{path}: a data.json at the top of a policy folder must hold a JSON object; wrap it in one.")
            _merge(data, value, "data")
    return data


# A METADATA block: the comment lines from '# METADATA' to the first non-comment line.
_METADATA = re.compile(r"^# METADATA[ \t]*\n((?:#.*\n)*)", re.MULTILINE)


def _metadata_blocks(name: str, source: str) -> Iterable[dict[str, Any]]:
    for match in _METADATA.finditer(source if source.endswith("\n") else source + "\n"):
        lines = [line[2:] if line.startswith("# ") else line[1:] for line in match.group(1).splitlines()]
        line_no = source.count("\n", 0, match.start()) + 1
        try:
            # libyaml's safe loader where present: ~25x faster over the library's 40 blocks,
            # which every check parses for report titles.
            block = yaml.load("\n".join(lines), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            raise PolicyError(f"{name}:{line_no}: the METADATA block is not valid YAML ({exc}); fix its indentation.") from None
        if isinstance(block, dict):
            yield block


def _resources(value: Any) -> list[dict[str, str]]:
    out = []
    for item in value or ():
        if isinstance(item, str):
            out.append({"ref": item, "description": ""})
        elif isinstance(item, dict) and item.get("ref"):
            out.append({"ref": str(item["ref"]), "description": str(item.get("description") or "")})
    return out


def rule_metadata(modules: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Rule id -> {title, description, severity, related_resources, module} from every
    ``# METADATA`` block that names a ``custom.id``. Sorted by rule id."""
    rules: dict[str, dict[str, Any]] = {}
    for name in sorted(modules):
        for block in _metadata_blocks(name, modules[name]):
            custom = block.get("custom") or {}
            rule_id = custom.get("id") if isinstance(custom, dict) else None
            if not isinstance(rule_id, str) or not rule_id:
                continue
            description = " ".join(str(block.get("description") or "").split())
            rules[rule_id] = {
                "title": str(block.get("title") or rule_id),
                "description": description,
                "severity": str(custom.get("severity") or "warn"),
                "config": " ".join(str(custom.get("config") or "").split()),
                "severity_from_config": _severity_from_config(modules[name], rule_id),
                "related_resources": _resources(block.get("related_resources")),
                "module": name,
            }
    return dict(sorted(rules.items()))


def _severity_from_config(source: str, rule_id: str) -> bool:
    """Does the rule pass a computed severity to lib.finding (a setting) rather than a literal?"""
    calls = re.findall(r'lib\.(?:file_)?finding\(\s*"' + re.escape(rule_id) + r'"\s*,\s*([^,]+),', source)
    return any(not re.fullmatch(r'"(deny|warn|info)"', c.strip()) for c in calls)


def _digest(sources: Iterable[str], data: dict[str, Any]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for source in sources:
        encoded = source.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def bundle_revisions(modules: dict[str, str], data: dict[str, Any]) -> dict[str, str]:
    """Which policies decided, in the shape of OPA's decision-log `bundles` (name -> revision).

    Until policies come as OPA bundles: `aiospo-ci` is the library (the package version and a
    hash of its modules) and `policies` the repository's own folders (a hash of their modules
    and data), present only when there are any. Hashes cover sources and data, not file names
    or folders, so the same policies give the same revision in every checkout."""
    from aiospo_ci import __version__

    library = load_modules(())
    revisions = {"aiospo-ci": f"{__version__}+sha256:{_digest(library.values(), {})}"}
    own = [source for name, source in modules.items() if name not in library]
    if own or data:
        revisions["policies"] = f"sha256:{_digest(own, data)}"
    return revisions
