"""What a string names: a Hub repo id, a local path, or neither; and how a revision pins it.

The Hub's naming rules (docs/reference hub.md): 1-96 characters of ``[A-Za-z0-9-_.]``, at most
one ``/``, no ``--`` or ``..``, not starting or ending with ``-`` or ``.``.
"""

from __future__ import annotations

import re

_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_ID_RE = re.compile(rf"^{_PART}(?:/{_PART})?$")
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_WINDOWS_PATH_RE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")

# A last segment ending like a file is a path, not a repo (a repo name may contain dots:
# 'Llama-3.1-8B'; it does not end in '.jsonl').
_FILE_SUFFIXES = (
    ".json", ".jsonl", ".csv", ".tsv", ".txt", ".parquet", ".arrow", ".yaml", ".yml", ".toml",
    ".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".joblib", ".h5", ".keras", ".onnx",
    ".gguf", ".safetensors", ".npy", ".npz", ".zip", ".tar", ".gz", ".py", ".sh", ".md",
)

HF_HOSTS = ("huggingface.co", "hf.co", "www.huggingface.co")

# First segments the Hub keeps for its own pages: 'models/bert' or 'datasets/x' is a folder on
# disk, never a repo id (no user or organisation can be called that).
RESERVED_NAMESPACES = frozenset({
    "models", "datasets", "spaces", "docs", "api", "blog", "papers", "collections", "organizations",
    "settings", "new", "join", "login", "pricing", "tasks", "learn", "posts", "chat", "enterprise",
})

# The transformers models that predate namespaces ('bert-base-uncased', 'gpt2', 't5-small'):
# libraries that prefix bare names with their organisation (sentence-transformers) leave these.
_CANONICAL_FAMILIES = frozenset({
    "albert", "bert", "camembert", "ctrl", "distilbert", "distilgpt2", "distilroberta", "gpt2", "openai",
    "roberta", "t5", "transfo", "xlm", "xlnet",
})


def is_hub_id(value: str) -> bool:
    """Whether value follows the Hub's repo-id rules (bare legacy ids such as 'gpt2' included)."""
    if not value or len(value) > 96 or "--" in value or ".." in value:
        return False
    if not _ID_RE.match(value):
        return False
    if "/" in value and value.split("/", 1)[0].lower() in RESERVED_NAMESPACES:
        return False
    return not value.lower().endswith(_FILE_SUFFIXES)


def is_canonical_transformers_name(value: str) -> bool:
    """'bert-base-uncased', 'gpt2', 't5-small': a bare id that is a repo of its own."""
    return value.split("-", 1)[0].lower() in _CANONICAL_FAMILIES


def is_namespaced_hub_id(value: str) -> bool:
    """An 'org/name' id: the only shape accepted from config files, where a bare word is far
    more often a label than a legacy Hub id."""
    return "/" in value and is_hub_id(value)


def is_local_path(value: str) -> bool:
    """'./x', '../x', '/x', '~', '~/x', 'C:\\x', '\\\\server', or anything with a backslash or a
    second '/': shapes a Hub id never has."""
    if not value:
        return False
    if value in (".", "..", "~") or value.startswith(("./", "../", "/", "~/", ".\\", "..\\")):
        return True
    if _WINDOWS_PATH_RE.match(value) or "\\" in value:
        return True
    if "/" in value and value.split("/", 1)[0].lower() in RESERVED_NAMESPACES:
        return True
    return value.count("/") >= 2 and not value.startswith(("hf://", "hf-hub:", "hf_hub:", "http://", "https://"))


def classify_pin(revision: str | None) -> str:
    """'commit' for a full 40-hex sha, 'mutable' for any other string (branch, tag, short sha),
    'none' when no revision is given."""
    if revision is None:
        return "none"
    return "commit" if _COMMIT_RE.match(revision) else "mutable"


_URL_RE = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/"
    r"(?P<type>datasets/|spaces/)?(?P<id>[^/\s?#]+(?:/[^/\s?#]+)?)"
    r"(?:/(?:resolve|blob|tree)/(?P<rev>[^/\s?#]+))?"
)


class HubTarget:
    """A string taken apart: the repo id, the kind, a revision carried in the string itself."""

    __slots__ = ("id", "kind", "revision")

    def __init__(self, id: str, kind: str = "model", revision: str | None = None):
        self.id, self.kind, self.revision = id, kind, revision

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"HubTarget({self.id!r}, {self.kind!r}, {self.revision!r})"


def parse_hub_url(value: str) -> HubTarget | None:
    """'https://huggingface.co/org/name/blob/main/x.safetensors', 'hf://datasets/org/name/file',
    'hf-hub:org/name', 'hf.co/org/name:Q4_K_M' -> the repo they point into; None otherwise."""
    v = value.strip()
    m = _URL_RE.match(v)
    if m:
        if m.group("type") == "spaces/":
            return None
        ident = m.group("id")
        kind = "dataset" if m.group("type") == "datasets/" else "model"
        return HubTarget(ident, kind, m.group("rev")) if is_hub_id(ident) else None
    for prefix in ("hf://", "hf-hub:", "hf_hub:"):
        if v.startswith(prefix):
            rest = v[len(prefix):]
            kind = "model"
            if rest.startswith("datasets/"):
                kind, rest = "dataset", rest[len("datasets/"):]
            elif rest.startswith("spaces/"):
                return None
            elif rest.startswith("models/"):
                rest = rest[len("models/"):]
            revision = None
            parts = rest.split("/")
            ident = "/".join(parts[:2])
            if "@" in ident:
                ident, _, revision = ident.partition("@")
            return HubTarget(ident, kind, revision or None) if is_hub_id(ident) else None
    for prefix in ("hf.co/", "huggingface.co/"):
        if v.startswith(prefix):
            ident = v[len(prefix):].split(":", 1)[0]
            return HubTarget(ident) if is_namespaced_hub_id(ident) else None
    return None
