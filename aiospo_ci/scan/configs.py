"""Configuration files: YAML, JSON, TOML, model-card front matter and .env files.

Only known keys are read (training configs: axolotl `base_model`, LLaMA-Factory
`model_name_or_path`/`adapter_name_or_path`, PEFT's adapter_config.json
`base_model_name_or_path`, model cards' `base_model`/`datasets`, ...), and only values shaped like
a namespaced Hub id (`org/name`, or an hf:// / huggingface.co URL): in a config file a bare word
is far more often a label than a legacy Hub id.

YAML is composed (never constructed) with the safe loader: anchors and aliases come back as
shared nodes, which the walk visits once, so an alias bomb costs nothing; libyaml bounds nesting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import hubid
from aiospo_ci.scan.interface import ScanFailure, Scanner

MODEL_KEYS = frozenset({
    "model", "model_name", "model_id", "model_name_or_path", "pretrained_model_name_or_path",
    "base_model", "base_model_name_or_path", "tokenizer_name", "tokenizer_name_or_path", "tokenizer",
    "tokenizer_config", "base_model_config", "repo_id", "adapter_name_or_path", "adapter_model",
    "ref_model", "reward_model", "teacher_model", "draft_model", "embedding_model",
})
DATASET_KEYS = frozenset({"datasets", "dataset", "dataset_name", "dataset_id", "eval_dataset"})
REVISION_KEYS = ("revision", "model_revision")
MODEL_CARD_KEYS = frozenset({"base_model", "datasets"})
# Walks are linear in the file (YAML aliases are visited once; files are size-limited), so this is
# only a backstop: a committed tokenizer.json holds hundreds of thousands of values and is fine.
_MAX_NODES = 5_000_000
_KEY_MARKERS = (b"model", b"Model", b"MODEL", b"repo_id", b"tokenizer", b"dataset", b"DATASET")


def decode_text(data: bytes, what: str) -> str:
    """UTF-8 (with or without BOM), else a clear failure."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ScanFailure(f"not UTF-8 text ({what} files must be UTF-8): byte {e.start} cannot be decoded", "encoding") from None


def hub_target(value: Any) -> hubid.HubTarget | None:
    """A namespaced Hub id or a Hub URL; None for anything else (paths, labels, numbers)."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if not v:
        return None
    if "://" in v or v.startswith(("hf-hub:", "hf.co/", "huggingface.co/")):
        return hubid.parse_hub_url(v)
    if hubid.is_namespaced_hub_id(v):
        return hubid.HubTarget(v)
    return None


class _Hit:
    __slots__ = ("key", "value", "line", "column", "kind", "revision", "trust_remote_code")

    def __init__(self, key: str, value: str, line: int, column: int | None, kind: str,
                 revision: str | None = None, trust_remote_code: bool = False):
        self.key, self.value, self.line, self.column, self.kind = key, value, line, column, kind
        self.revision, self.trust_remote_code = revision, trust_remote_code


def _local_path(value: str) -> bool:
    """A path on disk in a model or dataset key ('./checkpoints/x', '/models/llama',
    'saves/qwen/lora/sft'): reported as local, not dropped."""
    v = value.strip()
    if not v or any(c.isspace() for c in v):
        return False  # a sentence or a command, not a path
    return hubid.is_local_path(v) or v.startswith(("./", "../", "/", "~/"))


def _refs(relpath: str, prefix: str, hits: list[_Hit]) -> list[ModelReference]:
    out = []
    for h in sorted(hits, key=lambda h: (h.line, h.column or 0)):
        t = hub_target(h.value)
        if t is None:
            if _local_path(h.value):
                out.append(ModelReference(file=relpath, line=h.line, column=h.column, id=h.value.strip(), kind=h.kind,  # type: ignore[arg-type]
                                          source="local", call=f"{prefix}:{h.key}"))
            continue
        revision = h.revision if h.revision is not None else t.revision
        kind = "dataset" if t.kind == "dataset" else h.kind
        out.append(ModelReference(
            file=relpath, line=h.line, column=h.column, id=t.id, kind=kind, source="huggingface",  # type: ignore[arg-type]
            call=f"{prefix}:{h.key}", revision=revision, pin=hubid.classify_pin(revision),  # type: ignore[arg-type]
            flags=("trust_remote_code",) if h.trust_remote_code else (),
        ))
    return out


def _key_kind(key: str, keys: frozenset = MODEL_KEYS) -> str | None:
    k = key.lower()
    if k in DATASET_KEYS:
        return "dataset"
    if k in keys:
        return "model"
    return None


# -- YAML --------------------------------------------------------------------------------------

def _yaml_nodes(text: str) -> list[Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return [d for d in yaml.compose_all(text, Loader=loader) if d is not None]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ScanFailure(f"not valid YAML: {problem}{where}", "parse", mark.line + 1 if mark is not None else None) from None
    except RecursionError:
        raise ScanFailure("YAML nested too deeply", "budget") from None


def _yaml_scalar(node: Any) -> str | None:
    import yaml

    if isinstance(node, yaml.ScalarNode) and node.tag in ("tag:yaml.org,2002:str",):
        return node.value
    return None


def yaml_hits(roots: list[Any], line_offset: int = 0, keys: frozenset = MODEL_KEYS,
              top_level_only: bool = False) -> list[_Hit]:
    import yaml

    hits: list[_Hit] = []
    seen: set[int] = set()
    budget = _MAX_NODES
    stack: list[tuple[Any, int]] = [(r, 0) for r in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        budget -= 1
        if budget <= 0:
            raise ScanFailure(f"more than {_MAX_NODES} YAML nodes", "budget")
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
            revision, trc = None, False
            for k, v in pairs:
                if k.value in REVISION_KEYS:
                    revision = _yaml_scalar(v)
                elif k.value == "trust_remote_code" and isinstance(v, yaml.ScalarNode):
                    trc = v.value.lower() == "true"
            for k, v in pairs:
                if top_level_only and depth > 0:
                    break
                kind = _key_kind(k.value, keys)
                if kind is None:
                    if not top_level_only:
                        stack.append((v, depth + 1))
                    continue
                values: list[Any] = [v]
                if isinstance(v, yaml.SequenceNode):
                    values = list(v.value)
                for item in values:
                    if isinstance(item, yaml.MappingNode) and kind == "dataset":
                        # axolotl: datasets: [{path: org/name, type: alpaca}]
                        for ik, iv in item.value:
                            if isinstance(ik, yaml.ScalarNode) and ik.value in ("path", "name") and _yaml_scalar(iv):
                                hits.append(_Hit(k.value, iv.value, iv.start_mark.line + 1 + line_offset,
                                                 iv.start_mark.column + 1, kind))
                        continue
                    s = _yaml_scalar(item)
                    if s is not None:
                        hits.append(_Hit(k.value, s, item.start_mark.line + 1 + line_offset, item.start_mark.column + 1,
                                         kind, revision if kind == "model" else None, trc and kind == "model"))
                    elif not top_level_only:
                        stack.append((item, depth + 1))
        elif isinstance(node, yaml.SequenceNode) and not top_level_only:
            for item in reversed(node.value):
                stack.append((item, depth + 1))
    return hits


# aiospo-ci's own configuration names models in waivers and approved_models: policy about
# models, not a use of them (scanned, a waiver would raise findings of its own).
_OWN_CONFIG_NAMES = (".aiospo.yaml", ".aiospo.yml")


class YamlScanner(Scanner):
    name = "yaml"
    version = "2"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".yaml", ".yml")) and relpath.rsplit("/", 1)[-1] not in _OWN_CONFIG_NAMES

    def may_contain(self, data: bytes) -> bool:
        return any(m in data for m in _KEY_MARKERS)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        text = decode_text(data, "YAML")
        return _refs(relpath, "yaml", yaml_hits(_yaml_nodes(text)))


# -- model-card front matter --------------------------------------------------------------------

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)\s*$", re.M)


class ModelCardScanner(Scanner):
    name = "model-card"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.lower().endswith((".md", ".markdown"))

    def may_contain(self, data: bytes) -> bool:
        head = data[:3] if not data.startswith(b"\xef\xbb\xbf") else data[3:6]
        return head == b"---" and (b"base_model" in data or b"datasets" in data)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        text = decode_text(data, "Markdown")
        first, _, rest = text.partition("\n")
        if first.strip() != "---":
            return []
        end = _FRONT_MATTER_END.search(rest)
        if end is None:
            return []
        front = rest[: end.start()]
        return _refs(relpath, "model-card", yaml_hits(_yaml_nodes(front), line_offset=1, keys=frozenset({"base_model"}),
                                                       top_level_only=True))


# -- JSON ---------------------------------------------------------------------------------------

def _locate(text: str, pattern_for: Any, key: str, value: str, used: dict[tuple[str, str], int]) -> tuple[int, int | None]:
    """The line (and column) of the n-th occurrence of key=value, n counting earlier hits."""
    n = used.get((key, value), 0)
    used[(key, value)] = n + 1
    for i, m in enumerate(pattern_for(key, value).finditer(text)):
        if i == n:
            start = m.start("v")
            line = text.count("\n", 0, start) + 1
            return line, start - (text.rfind("\n", 0, start) + 1) + 1
    return 1, None


def _json_pattern(key: str, value: str) -> re.Pattern[str]:
    return re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:\s*(?:\[[^\]]*?)?(?P<v>' + re.escape(json.dumps(value)) + ")")


def _walk_pairs(obj: Any, keys: frozenset, out: list[tuple[str, str, str, str | None, bool]]) -> None:
    budget = [_MAX_NODES]
    stack = [obj]
    while stack:
        o = stack.pop()
        budget[0] -= 1
        if budget[0] <= 0:
            raise ScanFailure(f"more than {_MAX_NODES} JSON values", "budget")
        if isinstance(o, _Pairs):
            revision = next((v for k, v in o if k in REVISION_KEYS and isinstance(v, str)), None)
            trc = any(k == "trust_remote_code" and v is True for k, v in o)
            for k, v in o:
                kind = _key_kind(k, keys)
                if kind is None:
                    if isinstance(v, list):
                        stack.append(v)
                    continue
                values = v if isinstance(v, list) and not isinstance(v, _Pairs) else [v]
                for item in values:
                    if isinstance(item, str):
                        out.append((k, item, kind, revision if kind == "model" else None, trc and kind == "model"))
                    elif isinstance(item, _Pairs) and kind == "dataset":
                        for ik, iv in item:
                            if ik in ("path", "name") and isinstance(iv, str):
                                out.append((k, iv, kind, None, False))
                    elif isinstance(item, list):
                        stack.append(item)
        elif isinstance(o, list):
            stack.extend(x for x in reversed(o) if isinstance(x, list))


class _Pairs(list):
    """A JSON object kept as its (key, value) pairs: duplicate keys are all seen."""


class JsonScanner(Scanner):
    name = "json"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith(".json") and not relpath.endswith((".ipynb",))

    def may_contain(self, data: bytes) -> bool:
        return any(m in data for m in _KEY_MARKERS)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        text = decode_text(data, "JSON")
        try:
            obj = json.loads(text, object_pairs_hook=_Pairs)
        except json.JSONDecodeError as e:
            raise ScanFailure(f"not valid JSON: {e.msg} (line {e.lineno})", "parse", e.lineno) from None
        except RecursionError:
            raise ScanFailure("JSON nested too deeply", "budget") from None
        return _refs(relpath, "json", _keyed_hits(obj, text, _json_pattern))


def _keyed_hits(obj: Any, text: str, pattern: Callable[[str, str], re.Pattern[str]]) -> list[_Hit]:
    """Model keys with Hub-id values in a parsed JSON or TOML document, placed on their lines."""
    found: list[tuple[str, str, str, str | None, bool]] = []
    _walk_pairs(obj, MODEL_KEYS, found)
    hits, used = [], {}  # type: ignore[var-annotated]
    for key, value, kind, revision, trc in found:
        if hub_target(value) is None and not _local_path(value):
            continue
        line, col = _locate(text, pattern, key, value, used)
        hits.append(_Hit(key, value, line, col, kind, revision, trc))
    return hits


# -- TOML ---------------------------------------------------------------------------------------

def _toml_pattern(key: str, value: str) -> re.Pattern[str]:
    return re.compile(r"""(?<![\w-])["']?""" + re.escape(key) + r"""["']?\s*=\s*(?:\[[^\]]*?)?(?P<v>["']{1,3}""" + re.escape(value) + ")")


class TomlScanner(Scanner):
    name = "toml"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith(".toml")

    def may_contain(self, data: bytes) -> bool:
        return any(m in data for m in _KEY_MARKERS)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        try:
            import tomllib  # type: ignore[import-not-found]
        except ImportError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        text = decode_text(data, "TOML")
        try:
            obj = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ScanFailure(f"not valid TOML: {e}") from None
        except RecursionError:
            raise ScanFailure("TOML nested too deeply", "budget") from None
        return _refs(relpath, "toml", _keyed_hits(_to_pairs(obj), text, _toml_pattern))


def _to_pairs(obj: Any, depth: int = 0) -> Any:
    if depth > 500:
        raise ScanFailure("TOML nested too deeply", "budget")
    if isinstance(obj, dict):
        return _Pairs((k, _to_pairs(v, depth + 1)) for k, v in obj.items())
    if isinstance(obj, list):
        return [_to_pairs(v, depth + 1) for v in obj]
    return obj


# -- .env ---------------------------------------------------------------------------------------

_ENV_LINE = re.compile(r"""^\s*(?:export\s+)?(?P<k>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<q>["']?)(?P<v>[^"'\s#]*)(?P=q)""")


def _env_kind(key: str) -> str | None:
    k = key.upper()
    if "DATASET" in k:
        return "dataset"
    if "MODEL" in k or k.endswith(("REPO_ID", "_REPO", "TOKENIZER")):
        return "model"
    return None


class EnvScanner(Scanner):
    name = "env"
    version = "1"

    def handles(self, relpath: str) -> bool:
        base = relpath.rsplit("/", 1)[-1]
        return base == ".env" or base.startswith(".env.") or base.endswith(".env")

    def may_contain(self, data: bytes) -> bool:
        return any(m in data for m in (b"MODEL", b"model", b"REPO", b"DATASET", b"TOKENIZER"))

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        text = decode_text(data, ".env")
        hits = []
        for i, line in enumerate(text.splitlines(), 1):
            m = _ENV_LINE.match(line)
            if not m:
                continue
            kind = _env_kind(m.group("k"))
            if kind is not None and hub_target(m.group("v")) is not None:
                hits.append(_Hit(m.group("k"), m.group("v"), i, m.start("v") + 1, kind))
        return _refs(relpath, "env", hits)


def iter_config_scanners() -> Iterator[Scanner]:
    yield YamlScanner()
    yield JsonScanner()
    yield TomlScanner()
    yield ModelCardScanner()
    yield EnvScanner()
