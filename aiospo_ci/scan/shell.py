"""Shell scripts, Dockerfiles, Makefiles, CI workflows, Ollama Modelfiles, the fenced shell
blocks of Markdown files and pip requirements files.

Commands that fetch or serve a Hub model: `huggingface-cli download ID`, `hf download ID`,
`vllm serve ID`, `--model-id ID` (TGI), `-hf/--hf-repo ID` (llama.cpp), `ollama run|pull
hf.co/ORG/NAME[:quant]` and a Modelfile's `FROM hf.co/...`; the training and serving flags that
name a model or dataset (`--model_name_or_path`, `--base_model`, `--dataset_name`, ... as
`accelerate launch`, `torchrun`, `python -m` and scripts take them); Hub URLs that `wget`,
`curl`, `git clone` or `pip install` fetch (`huggingface.co/ORG/NAME/resolve/REV/FILE`, spaCy
pipelines as wheels), and other hosts' weight files they download (source 'file', the URL as
id). Variables set in the same file (`MODEL=...`, `ARG MODEL=...`, `ENV MODEL ...`, Make's
`MODEL ?= ...`) are resolved; a value an environment or build argument can override is flagged
'overridable'.
"""

from __future__ import annotations

import re
import shlex

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import hubid
from aiospo_ci.scan.configs import decode_text
from aiospo_ci.scan.interface import ScanFailure, Scanner

_MARKERS = (b"download", b"vllm", b"ADD ", b"model-id", b"hf-repo", b"-hf", b"hf.co/", b"huggingface.co/", b"--model", b"--base",
            b"--pretrained", b"--dataset", b"--tokenizer", b"wget", b"curl", b"aria2c")

# Training and serving flags: the value names a model (or a dataset). `--model` alone is also
# other tools' flag ('gpt-4o'), so it counts only with an 'org/name' value or a path.
_MODEL_FLAGS = {
    "--model_name_or_path": "model", "--pretrained_model_name_or_path": "model", "--base_model": "model",
    "--tokenizer_name": "model", "--tokenizer_name_or_path": "model", "--model": "model", "--dataset_name": "dataset",
}
_NAMESPACED_ONLY = frozenset({"--model"})
_FETCHERS = frozenset({"wget", "curl", "aria2c"})
# `python -c CODE`: the code is read by the Python scanner (a _Found whose call is _PYTHON_CODE).
_PYTHON_COMMAND = re.compile(r"(?:python|pypy)[0-9.]*")
_PYTHON_CODE = "python -c"
# Other hosts' model downloads: a URL to one of these files, or from a model host.
_WEIGHT_FILE = (".pt", ".pth", ".ckpt", ".safetensors", ".bin", ".gguf", ".onnx", ".h5", ".pkl", ".tflite", ".keras")
_MODEL_HOSTS = ("civitai.com",)

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


# CI configurations whose steps are shell commands in YAML strings: each is read as shell text
# (GitHub Actions, GitLab, Azure Pipelines, CircleCI, Bitbucket, Buildkite, Drone, Travis, Cloud Build).
_CI_FOLDERS = (".github/workflows/", ".github/actions/", ".circleci/", ".buildkite/", ".gitlab/ci/")
_CI_FILES = frozenset({".gitlab-ci.yml", "azure-pipelines.yml", "azure-pipelines.yaml", "bitbucket-pipelines.yml",
                       ".drone.yml", ".travis.yml", "cloudbuild.yaml", "cloudbuild.yml", "action.yml", "action.yaml"})


def is_workflow(relpath: str) -> bool:
    base = relpath.rsplit("/", 1)[-1]
    return relpath.startswith(_CI_FOLDERS) or base in _CI_FILES or base.endswith(".gitlab-ci.yml")


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
            elif _PYTHON_COMMAND.fullmatch(base) and "-c" in rest[:3]:
                at_code = rest.index("-c") + 1
                if at_code < len(rest):
                    found.append(_Found(n, rest[at_code], _PYTHON_CODE))
            elif (flag := _model_flag(w)) is not None:
                if "=" in w:
                    value = w.split("=", 1)[1]
                elif i + 1 < len(words) and not words[i + 1].startswith("-"):
                    value = words[i + 1]
                else:
                    continue
                found.append(_Found(n, value, f"shell:{flag}", kind=_MODEL_FLAGS[flag]))
            elif i == 0 and w == "ADD":  # a Dockerfile's ADD fetches a URL into the image
                for url in rest:
                    if url.startswith(("http://", "https://")):
                        found.append(_Found(n, url, "shell:ADD"))
            elif base in _FETCHERS or (base == "git" and rest[:1] == ["clone"]) or (base in ("pip", "pip3") and "install" in rest[:2]):
                for url in rest:
                    if url.startswith(("http://", "https://")) and (base in _FETCHERS or hubid.parse_hub_url(url)):
                        found.append(_Found(n, url, f"shell:{base}" + (" clone" if base == "git" else " install" if base.startswith("pip") else "")))
            elif w in ("--model-id", "-hf", "--hf-repo", "--hf-model-repo") or w.startswith(("--model-id=", "--hf-repo=")):
                if "=" in w:
                    value = w.split("=", 1)[1]
                elif i + 1 < len(words):
                    value = words[i + 1]
                else:
                    continue
                found.append(_Found(n, value, f"shell:{w.split('=')[0]}"))
    return found, lines


def _model_flag(word: str) -> str | None:
    """'--model_name_or_path' (or '--model-name-or-path', with '=value') as its _MODEL_FLAGS key."""
    flag = word.split("=", 1)[0].replace("-", "_")
    flag = "--" + flag.lstrip("_") if flag.startswith("__") else flag
    return flag if flag in _MODEL_FLAGS else None


def _downloaded(value: str, call: str, line: int, cell: int | None, relpath: str) -> ModelReference | None:
    """A URL a command fetches: a Hub repo (its revision from the URL), another host's weight
    file (source 'file'), or nothing."""
    t = hubid.parse_hub_url(value)
    if t is not None:
        return ModelReference(file=relpath, line=line, cell=cell, id=t.id, kind=t.kind, source="huggingface",  # type: ignore[arg-type]
                              call=call, revision=t.revision, pin=hubid.classify_pin(t.revision))  # type: ignore[arg-type]
    if call.split(" ")[0] not in ("shell:wget", "shell:curl", "shell:aria2c", "shell:ADD"):
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.path.lower().endswith(_WEIGHT_FILE) or any(host == h or host.endswith("." + h) for h in _MODEL_HOSTS):
        return ModelReference(file=relpath, line=line, cell=cell, id=value, kind="model", source="file", call=call)
    return None


def _python_code(relpath: str, code: str, line: int, cell: int | None) -> list[ModelReference]:
    """The loads in `python -c "..."` code (a Dockerfile's `RUN python -c "from
    sentence_transformers import ...; SentenceTransformer('org/name')"` bakes a model into the
    image), read by the Python scanner and placed on the command's line."""
    import dataclasses

    from aiospo_ci.scan.python import PythonScanner

    try:
        found = PythonScanner().scan(relpath, code.encode("utf-8", "surrogatepass"))
    except ScanFailure:
        return []  # code Python cannot read is code `python -c` cannot run
    return [dataclasses.replace(ref, line=line, cell=cell, column=None) for ref in found]




def references(relpath: str, text: str, modelfile: bool = False,
               line_map: list[tuple[int | None, int]] | None = None) -> list[ModelReference]:
    found, lines = find_commands(text, modelfile)
    variables = _Vars(lines)
    refs: list[ModelReference] = []
    for f in found:
        cell, line = (None, f.line)
        if line_map is not None and 1 <= f.line <= len(line_map):
            cell, line = line_map[f.line - 1]
        if f.call == _PYTHON_CODE:
            refs.extend(_python_code(relpath, f.word, line, cell))
            continue
        value, overridable_by = variables.resolve(f.word)
        if value is None or "$" in value:
            refs.append(ModelReference(file=relpath, line=line, cell=cell, id=f.word, kind=f.kind,  # type: ignore[arg-type]
                                       source="unresolved", call=f.call))
            continue
        if value.startswith(("http://", "https://")) and f.call.startswith(("shell:wget", "shell:curl", "shell:aria2c", "shell:git",
                                                                               "shell:pip", "shell:ADD")):
            fetched = _downloaded(value, f.call, line, cell, relpath)
            if fetched is not None:
                refs.append(fetched)
            continue
        flags: tuple[str, ...] = ("overridable",) if overridable_by else ()
        detail: dict[str, str] = {"overridable_by": overridable_by} if overridable_by else {}
        flag = f.call[len("shell:"):]
        if flag in _MODEL_FLAGS and not value.startswith(("hf.co/", "huggingface.co/", "hf://", "https://")):
            if hubid.is_local_path(value):
                source = "local"
            elif hubid.is_namespaced_hub_id(value) or (flag not in _NAMESPACED_ONLY and hubid.is_hub_id(value)):
                source = "huggingface"
            else:
                continue  # another tool's model name ('--model gpt-4o'), a label
            refs.append(ModelReference(file=relpath, line=line, cell=cell, id=value, kind=f.kind, source=source,  # type: ignore[arg-type]
                                       call=f.call, flags=flags if source != "local" else (),
                                       detail=tuple(sorted(detail.items())) if source != "local" else ()))
            continue
        ident, revision = value, f.revision
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
        refs.append(ModelReference(
            file=relpath, line=line, cell=cell, id=ident, kind=f.kind, source="huggingface", call=f.call,  # type: ignore[arg-type]
            revision=revision, pin=hubid.classify_pin(revision), flags=flags,  # type: ignore[arg-type]
            detail=tuple(sorted(detail.items())),
        ))
    return refs


def _may_name_in_python(data: bytes) -> bool:
    """The Python scanner's prefilter, for `python -c` code inside shell text."""
    from aiospo_ci.scan.python_apis import may_reference

    return may_reference(data, True)


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
        return any(m in data for m in _MARKERS) or (b"-c" in data and _may_name_in_python(data))

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


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session", "terminal", "shellsession"})
_PROMPT = re.compile(r"^\s*(?:\$|>|#\s*(?=\S*\s)|%)\s+")


def fenced_shell(text: str) -> str:
    """The text with everything but the content of fenced shell code blocks blanked (lines
    kept, so line numbers stay), and `$ ` prompts of console blocks removed."""
    out: list[str] = []
    fence: str | None = None
    console = False
    for line in text.splitlines():
        if fence is None:
            m = _FENCE.match(line)
            if m and m.group(2).lower() in _SHELL_LANGUAGES:
                fence, console = m.group(1), m.group(2).lower() in ("console", "shell-session", "shellsession", "terminal")
            out.append("")
            continue
        if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            fence = None
            out.append("")
            continue
        if console:
            m = _PROMPT.match(line)
            line = line[m.end():] if m else ""  # output lines of a console block are not commands
        out.append(line)
    return "\n".join(out) + "\n"


class MarkdownShellScanner(Scanner):
    """The fenced shell blocks of Markdown files (a README's `accelerate launch ... --model_name_or_path`)."""

    name = "markdown-shell"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.lower().endswith((".md", ".markdown"))

    def may_contain(self, data: bytes) -> bool:
        return (b"```" in data or b"~~~" in data) and any(m in data for m in _MARKERS)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return references(relpath, fenced_shell(decode_text(data, "Markdown")))


class RequirementsScanner(Scanner):
    """pip requirements files: packages installed from the Hub (spaCy pipelines as wheels,
    `name @ https://huggingface.co/ORG/NAME/resolve/...`)."""

    name = "requirements"
    version = "1"

    def handles(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1].lower()
        return base.startswith("requirements") and base.endswith((".txt", ".in"))

    def may_contain(self, data: bytes) -> bool:
        return b"huggingface.co/" in data or b"hf.co/" in data

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        refs = []
        for n, line in enumerate(decode_text(data, "requirements").splitlines(), 1):
            line = line.split(" #", 1)[0].strip()
            if line.startswith("#"):
                continue
            for word in line.replace("@", " ").split():
                if word.startswith(("http://", "https://")):
                    fetched = _downloaded(word, "requirements:pip", n, None, relpath)
                    if fetched is not None:
                        refs.append(fetched)
        return refs
