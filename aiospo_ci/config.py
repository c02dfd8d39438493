"""Load and validate `.aiospo.yaml` against the schema shipped in the package.

Only validation happens here. Defaults for policy decisions live in rego/ (the policies own
them); the few settings Python itself needs (paths, engine, Hub access) are read with their
defaults where they are used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from aiospo_ci.errors import ConfigError

CONFIG_NAMES = (".aiospo.yaml", ".aiospo.yml")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in aiospo_ci/schemas/."""
    text = resources.files("aiospo_ci").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def find_config(root: Path) -> Path | None:
    """The configuration file at the scanned root, if there is one."""
    for name in CONFIG_NAMES:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def validate(config: Any, source: str) -> dict[str, Any]:
    """Validate a parsed configuration; raise ConfigError naming the key, value and expectation."""
    import jsonschema

    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError(
            f"{source}: the configuration must be a mapping of keys to values, "
            f"not {type(config).__name__}; see docs/configuration.md."
        )
    validator = jsonschema.Draft202012Validator(load_schema("config.schema.json"))
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        err = errors[0]
        key = _where(err.absolute_path)
        expected = err.schema.get("description") or ""
        if "enum" in err.schema:
            expected = "one of " + ", ".join(json.dumps(v) for v in err.schema["enum"])
        elif err.validator == "additionalProperties":
            allowed = sorted((err.schema.get("properties") or {}).keys())
            expected = "known keys are " + ", ".join(allowed)
        hint = f" (expected {expected})" if expected else ""
        raise ConfigError(f"{source}: key {key}: {err.message}{hint}.")
    return config


def _loader() -> type:
    """A safe YAML loader that keeps dates as text: `expires: 2027-01-01` stays the string the
    schema and the policies compare, instead of becoming a datetime.date."""
    import yaml

    class DatesAsText(yaml.SafeLoader):
        pass

    DatesAsText.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return DatesAsText


def load_config(path: Path) -> dict[str, Any]:
    """Read and validate one configuration file."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration ({exc.strerror}); check the path given to --config.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the configuration is not UTF-8 text; save it as UTF-8.") from None
    try:
        data = yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: the configuration is not valid YAML{where} ({problem}); fix the syntax there.") from None
    return validate(data, str(path))


def validate_custom(config: dict[str, Any], schemas: dict[str, tuple[str, dict[str, Any]]], source: str) -> None:
    """Validate `custom.<name>` against the schema the custom policy `<name>` ships
    (policy/library.py config_schemas), so a mistyped key is an error and not a rule that
    quietly turns off. A `custom` key one typo away from such a policy's name is an error too."""
    import difflib

    import jsonschema

    custom = config.get("custom") or {}
    for key in custom:
        if key not in schemas:
            close = difflib.get_close_matches(key, list(schemas), n=1, cutoff=0.7)
            if close:
                raise ConfigError(f"{source}: key custom.{key} configures no loaded policy; did you mean custom.{close[0]} (schema {schemas[close[0]][0]})?")
    for name, (schema_path, schema) in sorted(schemas.items()):
        value = custom.get(name, {})
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: (list(e.absolute_path), e.message))
        if errors:
            err = errors[0]
            key = ".".join(["custom", name, *(str(p) for p in err.absolute_path)])
            hint = ""
            if err.validator == "additionalProperties":
                hint = f" (known keys: {', '.join(sorted((err.schema.get('properties') or {}).keys()))})"
            raise ConfigError(f"{source}: key {key}: {err.message}{hint}; the policy's schema is {schema_path}.")


# -- settings only the workflow may give --------------------------------------------------------
#
# The configuration file is part of the tree under review: a pull request's author writes it. It
# may tighten the policy, but it must not send a token anywhere the operator (the workflow, the
# command line, the environment of the job) did not choose, nor reach outside the repository.


def _same_url(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    """True when CI or GITHUB_ACTIONS is set (not to 0/false/no/off): the run is a gate."""
    env = os.environ if env is None else env
    return any((env.get(name) or "").strip().lower() not in ("", "0", "false", "no", "off") for name in ("CI", "GITHUB_ACTIONS"))


def configured_endpoint(
    key: str,
    configured: str | None,
    chosen: str | None,
    default: str | None,
    token_set: bool,
    how: str,
    env: Mapping[str, str] | None = None,
) -> str | None:
    """The endpoint to use when the configuration names one (`key`, e.g. hub.endpoint): only a
    URL the workflow also gives (`chosen`: a command-line flag, an environment variable or an
    Action input, named in `how`; else the built-in `default`) may receive a token, and in CI
    only such a URL is used at all, because the server at that URL supplies the facts or the
    decision the gate reports, and the repository under review wrote the configuration. On a
    developer's machine, without a token, the configured URL is used as it is."""
    if not configured:
        return None
    if any(_same_url(configured, url) for url in (chosen, default) if url):
        return configured
    operator = f"the workflow gives {chosen}" if chosen else "the workflow gives none"
    if token_set:
        raise ConfigError(
            f"the configuration's {key} is {configured}, but {operator} and a token is set: aiospo-ci sends tokens only "
            f"to an endpoint the workflow names. Give the same URL in {how}, or remove {key} from the configuration."
        )
    if in_ci(env):
        raise ConfigError(
            f"the configuration's {key} is {configured}, but {operator}: in CI the facts and the decision come only from "
            f"servers the workflow names, since the repository under review wrote the configuration. Give the same URL in {how}, "
            f"or remove {key} from the configuration."
        )
    return configured


def inside_root(root: Path, value: str | Path, key: str) -> Path:
    """`value` (from the configuration key `key`) resolved against the repository root, with
    symlinks followed; ConfigError unless it stays inside the root."""
    base = Path(root).resolve()
    path = (base / Path(value).expanduser()).resolve()
    if path != base and base not in path.parents:
        raise ConfigError(
            f"the configuration's {key} {str(value)!r} resolves to {path}, outside the repository ({base}); "
            f"give a path inside the repository (symlinks are followed), or set it from the workflow instead."
        )
    return path
