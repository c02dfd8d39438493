"""Keep tokens out of everything aiospo-ci writes.

Tokens are passed to clients in headers and never formatted into messages, but an exception
from a library could still carry one; every text written to a stream or file goes through
`redact` as a last line of defence.
"""

from __future__ import annotations

import os

#: Environment variables that may hold a secret (the Action passes inputs as INPUT_*).
SECRET_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "OPA_TOKEN",
    "INPUT_GITHUB_TOKEN",
    "INPUT_HF_TOKEN",
    "INPUT_OPA_TOKEN",
    "AIOSPO_BUNDLE_TOKEN",
    "INPUT_BUNDLE_TOKEN",
)
_MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


def secret_values() -> list[str]:
    values = {os.environ.get(name, "") for name in SECRET_VARIABLES}
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def redact(text: str) -> str:
    for value in secret_values():
        if value in text:
            text = text.replace(value, "***")
    return text
