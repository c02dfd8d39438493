"""Shell scripts, Dockerfiles, Makefiles, CI workflows and Ollama Modelfiles.

Commands that fetch or serve a Hub model: `huggingface-cli download ID`, `hf download ID`,
`vllm serve ID`, `--model-id ID` (TGI), `-hf/--hf-repo ID` (llama.cpp), `ollama run|pull
hf.co/ORG/NAME[:quant]` and a Modelfile's `FROM hf.co/...`. Variables set in the same file
(`MODEL=...`, `ARG MODEL=...`, `ENV MODEL ...`, Make's `MODEL ?= ...`) are resolved; a value an
environment or build argument can override is flagged 'overridable'.
"""

from __future__ import annotations

import re
import shlex

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import hubid
from aiospo_ci.scan.configs import decode_text
from aiospo_ci.scan.interface import Scanner

_MARKERS = (b"download", b"vllm", b"model-id", b"hf-repo", b"-hf", b"hf.co/", b"huggingface.co/")

# Options of `huggingface-cli download` / `hf download` that take a value.
_DOWNLOAD_VALUE_OPTS = frozenset({
    "--repo-type", "--revision", "--include", "--exclude", "--cache-dir", "--local-dir", "--token",
    "--max-workers", "--local-dir-use-symlinks", "--etag-timeout",
})
_ASSIGN = re.compile(
    r"""^\s*(?:(?P<arg>ARG|ENV)\s+)?(?:export\s+)?(?P<k>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>\?=|:=|::=|=|\s)\s*(?P<v>.*)$"""
)
_VAR = re.compile(r"^\$(?:\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<d>[^}]*))?\}|\((?P<m>[A-Za-z_][A-Za-z0-9_]*)\)|(?P<n>[A-Za-z_][A-Za-z0-9_]*))$")


_COMPOSE_FILES = frozenset({"docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"})


def is_workflow(relpath: str) -> bool:
    return relpath.startswith(".github/workflows/") or relpath.endswith((".gitlab-ci.yml", "azure-pipelines.yml"))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each with the number of its first line."""
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for i, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = i
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        buf += raw
        out.append((start, buf))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def _strip_comment(line: str) -> str:
    s = line.lstrip()
    if s.startswith("#"):
        return ""
    # a ' #' outside quotes starts a comment in shell and Makefiles
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


_EXEC_FORM = re.compile(r"^\s*(?P<i>CMD|ENTRYPOINT|RUN)\s+(?P<a>\[.*\])\s*$")


def _exec_words(m: re.Match[str]) -> list[str]:
    """A Dockerfile's exec form, CMD ["--model-id", "org/name"]: a JSON array of words."""
    import json

    try:
        words = json.loads(m.group("a"))
    except ValueError:
        return _words(m.group(0))
    return [m.group("i")] + [w for w in words if isinstance(w, str)]


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line.split()


class _Vars:
    def __init__(self, lines: list[tuple[int, str]]):
        self.values: dict[str, tuple[str, bool]] = {}
        for _, line in lines:
            m = _ASSIGN.match(line)
            if not m:
                continue
            op, key = m.group("op"), m.group("k")
            if op.isspace() and m.group("arg") != "ENV":
                continue  # `KEY value` is only an assignment in a Dockerfile ENV
            words = _words(m.group("v").strip())
            if not words:
                continue
            value = words[0]
            # ARG/ENV are build/run-time overridable, so are Make's `?=` and ${X:-default}
            overridable = m.group("arg") is not None or op == "?="
            self.values[key] = (value, overridable)

    def resolve(self, word: str) -> tuple[str | None, str | None]:
        """(value, overridable_by): (None, None) when the word is a variable with no value here."""
        m = _VAR.match(word)
        if not m:
            return word, None
        name = m.group("b") or m.group("m") or m.group("n")
        default = m.group("d")
        if name in self.values:
            value, overridable = self.values[name]
            inner, inner_over = self.resolve(value) if value.startswith("$") else (value, None)
            return inner, (name if overridable else inner_over)
        if default:
            return default, name
        return None, None


def _first_positional(words: list[str], value_opts: frozenset) -> tuple[str | None, dict[str, str]]:
    opts: dict[str, str] = {}
    i = 0
    positional = None
    while i < len(words):
        w = words[i]
        if w.startswith("--") and "=" in w:
            k, _, v = w.partition("=")
            opts[k] = v
        elif w.startswith("-"):
            if w in value_opts and i + 1 < len(words):
                opts[w] = words[i + 1]
                i += 1
        elif positional is None:
            positional = w
        i += 1
    return positional, opts


def _command_end(words: list[str]) -> list[str]:
    for i, w in enumerate(words):
        if w in ("&&", "||", ";", "|", ")") or w.endswith(";"):
            return words[: i + (1 if w.endswith(";") and w != ";" else 0)]
    return words


class _Found:
    __slots__ = ("line", "word", "call", "revision", "kind")

    def __init__(self, line: int, word: str, call: str, revision: str | None = None, kind: str = "model"):
        self.line, self.word, self.call, self.revision, self.kind = line, word, call, revision, kind


def find_commands(text: str, modelfile: bool = False) -> tuple[list[_Found], list[tuple[int, str]]]:
    """The model-naming words of every command in a shell-like text."""
    lines = [(n, _strip_comment(l)) for n, l in _logical_lines(text)]
    found: list[_Found] = []
    for n, line in lines:
        if not line.strip():
            continue
        exec_form = _EXEC_FORM.match(line)
        words = _exec_words(exec_form) if exec_form else _words(line)
        if modelfile:
            if len(words) >= 2 and words[0].upper() == "FROM":
                found.append(_Found(n, words[1], "modelfile:FROM"))
            continue
        for i, w in enumerate(words):
            rest = _command_end(words[i + 1:])
            base = w.rsplit("/", 1)[-1]
            if base in ("huggingface-cli", "hf") and rest[:1] == ["download"]:
                ident, opts = _first_positional(rest[1:], _DOWNLOAD_VALUE_OPTS)
                if ident:
                    kind = "dataset" if opts.get("--repo-type") == "dataset" else "model"
                    if opts.get("--repo-type") == "space":
                        continue
                    found.append(_Found(n, ident, f"shell:{base} download", opts.get("--revision"), kind))
            elif base == "vllm" and rest[:1] == ["serve"]:
                ident, opts = _first_positional(rest[1:], frozenset({"--revision", "--tokenizer", "--port", "--host"}))
                if ident:
                    found.append(_Found(n, ident, "shell:vllm serve", opts.get("--revision")))
            elif base == "ollama" and rest[:1] and rest[0] in ("run", "pull", "create", "cp", "show"):
                ident, _ = _first_positional(rest[1:], frozenset())
                if ident and ident.startswith(("hf.co/", "huggingface.co/")):
                    found.append(_Found(n, ident, f"shell:ollama {rest[0]}"))
            elif w in ("--model-id", "-hf", "--hf-repo", "--hf-model-repo") or w.startswith(("--model-id=", "--hf-repo=")):
                if "=" in w:
                    value = w.split("=", 1)[1]
                elif i + 1 < len(words):
                    value = words[i + 1]
                else:
                    continue
                found.append(_Found(n, value, f"shell:{w.split('=')[0]}"))
    return found, lines


def references(relpath: str, text: str, modelfile: bool = False,
               line_map: list[tuple[int | None, int]] | None = None) -> list[ModelReference]:
    found, lines = find_commands(text, modelfile)
    variables = _Vars(lines)
    refs = []
    for f in found:
        value, overridable_by = variables.resolve(f.word)
        cell, line = (None, f.line)
        if line_map is not None and 1 <= f.line <= len(line_map):
            cell, line = line_map[f.line - 1]
        if value is None or "$" in value:
            refs.append(ModelReference(file=relpath, line=line, cell=cell, id=f.word, kind=f.kind,  # type: ignore[arg-type]
                                       source="unresolved", call=f.call))
            continue
        ident, revision, detail = value, f.revision, {}
        if value.startswith(("hf.co/", "huggingface.co/", "hf://", "https://")):
            t = hubid.parse_hub_url(value)
            if t is None:
                continue
            ident = t.id
            if ":" in value.rsplit("/", 1)[-1]:
                detail["quant"] = value.rsplit(":", 1)[-1]
        elif ":" in value and f.call.startswith("shell:-hf"):
            ident, _, quant = value.partition(":")  # llama.cpp: org/name:Q4_K_M
            detail["quant"] = quant
        if not hubid.is_hub_id(ident) or "/" not in ident:
            continue
        flags: tuple[str, ...] = ()
        if overridable_by:
            flags = ("overridable",)
            detail["overridable_by"] = overridable_by
        refs.append(ModelReference(
            file=relpath, line=line, cell=cell, id=ident, kind=f.kind, source="huggingface", call=f.call,  # type: ignore[arg-type]
            revision=revision, pin=hubid.classify_pin(revision), flags=flags,  # type: ignore[arg-type]
            detail=tuple(sorted(detail.items())),
        ))
    return refs


class ShellScanner(Scanner):
    name = "shell"
    version = "1"

    def handles(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        if relpath.endswith((".sh", ".bash", ".zsh", ".mk", ".dockerfile", ".Dockerfile")):
            return True
        if base in ("Dockerfile", "Containerfile", "Makefile", "GNUmakefile", "makefile", "Justfile", "justfile"):
            return True
        if base.startswith(("Dockerfile.", "Containerfile.")) or base in _COMPOSE_FILES:
            return True
        return is_workflow(relpath) and relpath.endswith((".yml", ".yaml"))

    def may_contain(self, data: bytes) -> bool:
        return any(m in data for m in _MARKERS)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return references(relpath, decode_text(data, "shell"))


class ModelfileScanner(Scanner):
    name = "modelfile"
    version = "1"

    def handles(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        return base == "Modelfile" or base.endswith(".Modelfile") or base.endswith(".modelfile")

    def may_contain(self, data: bytes) -> bool:
        return b"hf.co/" in data or b"huggingface.co/" in data

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return references(relpath, decode_text(data, "Modelfile"), modelfile=True)
