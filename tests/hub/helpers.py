"""Small builders shared by the hub tests."""

from __future__ import annotations

import datetime as dt

from aiospo_ci.model import ModelReference

TODAY = dt.date(2026, 11, 26)


def ref(id: str, revision: str | None = None, *, kind: str = "model", line: int = 1, source: str = "huggingface") -> ModelReference:
    pin = "none" if revision is None else ("commit" if len(revision) == 40 else "mutable")
    return ModelReference(file="src/app.py", line=line, id=id, kind=kind, source=source, revision=revision, pin=pin)
