"""The Action's inputs, read from INPUT_* environment variables (GitHub upper-cases the
snake_case input names). A bad value stops the run with one sentence naming the input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiospo_ci.errors import AiospoError

ANNOTATIONS = ("checks", "commands", "none")
COMMENT = ("always", "on-failure", "never")
FAIL_ON = ("deny", "warn", "never")
ENGINES = ("auto", "embedded", "opa")
TREES = ("head", "checkout")
CONFIG_FROM = ("head", "base")
OPA_MODES = ("upload", "query")


def _raw(env: Mapping[str, str], name: str) -> str:
    return (env.get(f"INPUT_{name.upper()}") or "").strip()


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    value = _raw(env, name).lower()
    if not value:
        return default
    if value not in choices:
        raise AiospoError(f"input {name}: {value!r} is not one of {', '.join(choices)}; fix `with: {name}:` in the workflow.")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool | None) -> bool | None:
    value = _raw(env, name).lower()
    if not value:
        return default
    if value in ("true", "yes", "1", "on"):
        return True
    if value in ("false", "no", "0", "off"):
        return False
    raise AiospoError(f"input {name}: {value!r} is not true or false; fix `with: {name}:` in the workflow.")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """One entry per line (commas also separate), blanks dropped, order kept."""
    return tuple(part.strip() for part in re.split(r"[\n,]", _raw(env, name)) if part.strip())


@dataclass(frozen=True)
class ActionInputs:
    paths: tuple[str, ...] = ()
    config: str | None = None
    policy_dirs: tuple[str, ...] = ()
    fail_on: str | None = None  # None: the configuration's fail_on, else deny
    engine: str | None = None
    opa_url: str | None = None
    opa_mode: str | None = None  # None: upload
    bundle: str | None = None  # a bundle service URL, or a path relative to the workspace
    annotations: str = "checks"
    comment: str = "always"
    sarif_file: str | None = None
    only_changed: bool = False
    offline: bool | None = None  # None: from the configuration
    suggestions: bool = True  # the mechanical fixes as review suggestions (action/suggestions.py)
    decision_log: str | None = None  # the decision record's file (aiospo_ci/decision_log.py)
    tree: str = "head"  # head: the pull request's head commit; checkout: the files as checked out
    config_from: str = "head"  # base: the base branch's configuration, lockfile and policies
    # Secrets: kept out of repr so no log line or traceback can show them.
    github_token: str = field(default="", repr=False)
    hf_token: str = field(default="", repr=False)
    opa_token: str = field(default="", repr=False)
    bundle_token: str = field(default="", repr=False)
    bundle_verification_key: str = field(default="", repr=False)  # a PEM public key

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionInputs:
        return cls(
            paths=tuple(p for p in _list(env, "paths") if p != "."),
            config=_raw(env, "config") or None,
            policy_dirs=_list(env, "policy_dirs"),
            fail_on=_choice(env, "fail_on", FAIL_ON, None),
            engine=_choice(env, "engine", ENGINES, None),
            opa_url=_raw(env, "opa_url") or None,
            opa_mode=_choice(env, "opa_mode", OPA_MODES, None),
            bundle=_raw(env, "bundle") or None,
            annotations=_choice(env, "annotations", ANNOTATIONS, "checks") or "checks",
            comment=_choice(env, "comment", COMMENT, "always") or "always",
            sarif_file=_raw(env, "sarif_file") or None,
            only_changed=bool(_flag(env, "only_changed", False)),
            offline=_flag(env, "offline", None),
            suggestions=bool(_flag(env, "suggestions", True)),
            decision_log=_raw(env, "decision_log") or None,
            tree=_choice(env, "tree", TREES, "head") or "head",
            config_from=_choice(env, "config_from", CONFIG_FROM, "head") or "head",
            github_token=_raw(env, "github_token"),
            hf_token=_raw(env, "hf_token"),
            opa_token=_raw(env, "opa_token"),
            bundle_token=_raw(env, "bundle_token"),
            bundle_verification_key=_raw(env, "bundle_verification_key"),
        )
