"""Choose the engine: `embedded` (regorus, else regopy), `regorus`, `regopy`, `opa` (a server),
or `auto`."""

from __future__ import annotations

import os

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.embedded import EMBEDDED_ENGINES, embedded_engine
from aiospo_ci.policy.interface import PolicyEngine

ENGINES = ("auto", "embedded", *EMBEDDED_ENGINES, "opa")


def make_engine(choice: str, opa_url: str | None = None, mode: str | None = None) -> PolicyEngine:
    """auto: the OPA server at opa_url if given, else a local `opa` binary if on PATH, else
    embedded. opa: opa_url, else a local binary, else OPA's Go evaluator in process where
    opa-golib-python-bindings is installed, and an error if none exists. mode: how to use the
    server at opa_url, `upload` (the default) or `query` (policy/opa.py)."""
    from aiospo_ci.policy.opa import LocalOpaEngine, OpaServerEngine, opa_binary

    if choice not in ENGINES:
        raise PolicyError(f"--engine {choice!r} is not known; use one of {', '.join(ENGINES)}.")
    if mode == "query" and (choice not in ("auto", "opa") or not opa_url):
        raise PolicyError("--opa-mode query asks the OPA server that holds the organisation's bundle: give its --opa-url (and --engine opa or auto).")
    if choice not in ("auto", "opa"):
        return embedded_engine(choice)
    token = os.environ.get("OPA_TOKEN") or None
    if opa_url:
        return OpaServerEngine(opa_url, token=token, mode=mode or "upload")
    binary = opa_binary()
    if binary:
        return LocalOpaEngine(binary)
    if choice == "opa":
        from aiospo_ci.policy.opa_go import INSTALL, OpaGoEngine, opa_go_installed

        if opa_go_installed():  # OPA's Go evaluator in process (the optional extra)
            return OpaGoEngine()
        raise PolicyError(f"--engine opa needs --opa-url, an `opa` binary on PATH, or OPA's Go evaluator (`{INSTALL}`); or use --engine embedded.")
    return embedded_engine()
