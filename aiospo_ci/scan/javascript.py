"""JavaScript and TypeScript: Transformers.js (`@huggingface/transformers`, `@xenova/transformers`)
and the Inference client (`@huggingface/inference`).

Transformers.js: `pipeline('task', 'Xenova/...')`, `X.from_pretrained('...')`. The Inference
client: every `model: '...'` its task calls take (`client.chatCompletion({ model: 'org/name',
... })`, also `'org/name:provider'`). Values are string literals or a `const` bound to one in the
same file. Comments are blanked first (keeping line numbers), so an id in a comment is never
reported. Only files that import one of these packages are read.
"""

from __future__ import annotations

import re

from aiospo_ci.model import ModelReference
from aiospo_ci.scan import hubid
from aiospo_ci.scan.configs import decode_text
from aiospo_ci.scan.interface import Scanner

_PACKAGES = (b"@huggingface/transformers", b"@xenova/transformers", b"@huggingface/inference")
_INFERENCE = "@huggingface/inference"
_STR = r"""(?P<q>['"`])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
_ARG = rf"""(?:{_STR}|(?P<name>[A-Za-z_$][\w$]*))"""
_PIPELINE = re.compile(rf"""\bpipeline\s*\(\s*{_STR.replace('q>', 'tq>').replace('(?P=q)', '(?P=tq)').replace('s>', 'task>')}\s*,\s*{_ARG}""")
_FROM_PRETRAINED = re.compile(rf"""\.from_pretrained\s*\(\s*{_ARG}""")
_CONST = re.compile(rf"""\b(?:const|let|var)\s+(?P<k>[A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*{_STR}""")
_REVISION = re.compile(r"""\brevision\s*:\s*(['"`])(?P<r>[^'"`]*)\1""")
_MODEL_KEY = re.compile(rf"""(?<![\w$.])model\s*:\s*{_ARG}""")


def blank_comments(text: str) -> str:
    """Replace // and /* */ comments by spaces (newlines kept), leaving strings alone."""
    out = list(text)
    i, n = 0, len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "'\"`":
            quote = ch
            i += 1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        i += 1
    return "".join(out)


class JavaScriptScanner(Scanner):
    name = "javascript"
    version = "1"

    def handles(self, relpath: str) -> bool:
        return relpath.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"))

    def may_contain(self, data: bytes) -> bool:
        return any(p in data for p in _PACKAGES)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        text = blank_comments(decode_text(data, "JavaScript"))
        consts = {m.group("k"): m.group("s") for m in _CONST.finditer(text) if "${" not in m.group("s")}
        refs = []
        patterns = [(_PIPELINE, "transformers.js:pipeline"), (_FROM_PRETRAINED, "transformers.js:from_pretrained")]
        if _INFERENCE in text:
            patterns.append((_MODEL_KEY, "huggingface.js:inference"))
        for pattern, call in patterns:
            for m in pattern.finditer(text):
                if m.group("s") is not None:
                    value, start = m.group("s"), m.start("s")
                    if m.group("q") == "`" and "${" in value:
                        refs.append(self._ref(relpath, text, start, value, call, "unresolved"))
                        continue
                else:
                    name = m.group("name")
                    if name in ("undefined", "null"):
                        continue
                    start = m.start("name")
                    if name not in consts:
                        refs.append(self._ref(relpath, text, start, name, call, "unresolved"))
                        continue
                    value = consts[name]
                revision = None
                tail = text[m.end(): m.end() + 400]
                close = tail.find(")")
                r = _REVISION.search(tail[: close if close >= 0 else len(tail)])
                if r:
                    revision = r.group("r")
                if value.startswith(("https://", "hf://")):
                    t = hubid.parse_hub_url(value)
                    if t is None:
                        continue
                    value = t.id
                elif call == "huggingface.js:inference":
                    value = value.split(":", 1)[0]  # 'org/name:provider' routes to one provider
                    if "/" not in value:
                        continue  # a bare word here is another API's model name ('gpt-4o'), not a Hub repo
                if hubid.is_local_path(value) or not hubid.is_hub_id(value):
                    refs.append(self._ref(relpath, text, start, value, call, "local"))
                    continue
                refs.append(self._ref(relpath, text, start, value, call, "huggingface", revision))
        return refs

    @staticmethod
    def _ref(relpath: str, text: str, start: int, ident: str, call: str, source: str,
             revision: str | None = None) -> ModelReference:
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        return ModelReference(file=relpath, line=line, column=col, id=ident, kind="model", source=source,  # type: ignore[arg-type]
                              call=call, revision=revision, pin=hubid.classify_pin(revision))  # type: ignore[arg-type]
