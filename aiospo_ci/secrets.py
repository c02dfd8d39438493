"""Keep tokens out of everything aiospo-ci writes, and out of the policies' reach.

Tokens are passed to clients in headers and never formatted into messages, but an exception
from a library could still carry one; every text written to a stream or file goes through
`redact` as a last line of defence. A value can reach a report already escaped for its format
(`hf\\_...` in markdown, `%3A` in a workflow command, `&amp;` in HTML, `%7C` in a SARIF URI),
so `redact` removes each secret in every escaped form the formats write, and the formats'
escape functions redact before they escape (so a value cut to fit a table is cut after
redaction, never leaving half a token).

Policies are evaluated with the environment hidden (`environment_hidden`): rego-cpp answers
`opa.runtime().env` from the live process environment.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

#: Environment variables that may hold a secret (the Action passes inputs as INPUT_*).
SECRET_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "OPA_TOKEN",
    "AIOSPO_DECISION_LOG_TOKEN",
    "INPUT_GITHUB_TOKEN",
    "INPUT_HF_TOKEN",
    "INPUT_OPA_TOKEN",
    "AIOSPO_BUNDLE_TOKEN",
    "INPUT_BUNDLE_TOKEN",
)
_MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words
#: Secrets found elsewhere than in SECRET_VARIABLES (the token `hf auth login` saved), and the
#: values seen before the environment was hidden.
_remembered: set[str] = set()


def remember(value: str | None) -> None:
    """Treat `value` as a secret from now on (a token read from a file, not the environment)."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        _remembered.add(value)


def secret_values() -> list[str]:
    values = {os.environ.get(name, "") for name in SECRET_VARIABLES} | _remembered
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


@lru_cache(maxsize=32)
def _forms(value: str) -> tuple[str, ...]:
    """`value` and the forms the report formats escape it into, longest first."""
    import html
    import json
    from urllib.parse import quote

    from aiospo_ci.report import github, markdown, text

    forms = {
        value,
        markdown.escape_inline(value),  # free text in markdown (and its HTML entities)
        value.replace("|", "\\|"),  # a code span in a markdown table
        html.escape(value, quote=False),
        html.escape(value, quote=True),
        github.percent_data(value),
        github.percent_property(value),
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(value, ensure_ascii=True)[1:-1],
        quote(value, safe="/"),  # a SARIF artifact URI
        text.one_line(value),
    }
    return tuple(sorted(forms, key=len, reverse=True))


def redact(text: str) -> str:
    for value in secret_values():
        for form in _forms(value):
            if form in text:
                text = text.replace(form, "***")
    return text


def _libc() -> Any:
    try:
        return ctypes.CDLL(None)
    except OSError:  # pragma: no cover - no C library to load (not on Linux or macOS)
        return None


def _c_environment(libc: Any) -> list[bytes] | None:
    """The C library's environment, which can hold variables os.environ never saw (a library
    may call setenv, as readline does for LINES and COLUMNS); None where it cannot be read."""
    try:
        entries = ctypes.POINTER(ctypes.c_char_p).in_dll(libc, "environ")
    except (ValueError, TypeError):  # pragma: no cover - no `environ` symbol (macOS)
        return None
    out = []
    index = 0
    while entries[index] is not None:
        out.append(bytes(entries[index]))
        index += 1
    return out


@contextlib.contextmanager
def environment_hidden() -> Iterator[None]:
    """Run the block with an empty process environment (the C library's included), and put it
    back afterwards. For in-process policy evaluation only: nothing else runs meanwhile."""
    _remembered.update(secret_values())  # redact still knows them if the block's errors are written
    libc = _libc()
    saved = dict(os.environ)
    saved_c = (_c_environment(libc) if libc is not None else None) or []
    pairs = [(entry.partition(b"=")[0], entry.partition(b"=")[2]) for entry in saved_c]
    os.environ.clear()
    for name, _ in pairs:  # unsetenv, not clearenv: glibc's clearenv leaves `environ` NULL
        libc.unsetenv(name)
    try:
        yield
    finally:
        os.environ.clear()
        for name, value in pairs:
            libc.setenv(name, value, 1)
        os.environ.update(saved)
