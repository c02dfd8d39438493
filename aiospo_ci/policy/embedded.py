"""The embedded engines: Rego evaluated inside this process, so `pip install` alone gives a
working tool with no OPA binary.

regorus is the default (docs/engines.md holds the evidence); regopy is the fallback where no
regorus wheel installs (musllinux, Windows on arm64), and can be chosen with --engine regopy.
"""

from __future__ import annotations

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy.interface import InProcessEngine

#: The in-process engines aiospo-ci ships, the default first.
EMBEDDED_ENGINES = ("regorus", "regopy")


def regorus_installed() -> bool:
    try:
        import regorus  # noqa: F401
    except ImportError:
        return False
    return True


def embedded_engine(choice: str = "embedded") -> InProcessEngine:
    """An in-process engine: `regorus`, `regopy`, or `embedded` (regorus where it is installed,
    else regopy, with a note saying so)."""
    from aiospo_ci.policy.regopy_engine import RegopyEngine
    from aiospo_ci.policy.regorus_engine import INSTALL, RegorusEngine

    if choice == "regorus":
        return RegorusEngine()
    if choice == "regopy":
        return RegopyEngine()
    if choice != "embedded":
        raise PolicyError(f"--engine {choice!r} is not an embedded engine; use one of embedded, {', '.join(EMBEDDED_ENGINES)}.")
    if regorus_installed():
        return RegorusEngine()
    engine = RegopyEngine()
    engine.notes = (
        f"the regorus engine is not installed on this platform, so the policies ran on regopy, which is slower on large repositories; `{INSTALL}` (needs Rust where no wheel exists) restores it.",
    )
    return engine
