"""Where the in-process engines evaluate Rego differently from OPA, measured, and which of those
differences a policy's source shows so the loader can refuse it on the engine that diverges.

Each row was measured by evaluating its `example` on OPA's Go evaluator (opa-golib-python-
bindings 0.4.4, OPA v1.20, strict builtin errors), regorus 0.13.0 and regopy 1.5.2;
tests/policy/test_divergence.py measures every row again on the installed engines and fails
when an engine's answer no longer matches the table (then the row, the refusal and
docs/policies.md change together). Outcomes are the JSON value, `undefined`, `error`, `hangs`, or `a random value` (a different
one on every run).

A row with `detect` is refused at load time on the engines in `refuse_on`, with `fix` as the
way to write it that every engine evaluates alike. A row without `detect` depends on the
values at run time, so no reading of the source can see it: docs/policies.md lists it with
its guard. Rows refused on every engine are not divergences but things a gate may not do
(answer differently on each run); they are listed here so one table holds every refusal.
Reaching the network and reading the environment are guarded where the policies come from and
where they run: a repository's policy_dirs may not name a network builtin (pipeline.py), and
every engine aiospo-ci starts evaluates without the job's environment (docs/security.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiospo_ci.policy.rego_source import RegoSource

EMBEDDED = frozenset({"regorus", "regopy"})
ALL_ENGINES = frozenset({"regorus", "regopy", "opa"})

#: detect(source) -> offsets of the construct in that module.
Detector = Callable[[RegoSource], Iterable[int]]


@dataclass(frozen=True)
class Divergence:
    id: str
    construct: str  # what the author writes (markdown)
    example: str  # a Rego expression that shows the difference
    measured: dict[str, str]  # engine (opa, regorus, regopy) -> outcome of the example
    fix: str  # how to write it so every engine agrees (markdown)
    refuse_on: frozenset[str] = frozenset()
    detect: Detector | None = field(default=None, compare=False)
    input: dict | None = None  # the input document the example reads, if any


def _calls(*names: str, prefixes: tuple[str, ...] = ()) -> Detector:
    def detect(source: RegoSource) -> Iterable[int]:
        for name, offset in source.calls():
            if name in names or name.startswith(prefixes):
                yield offset

    return detect


def _literal_text(literal) -> str:
    if literal.raw:
        return literal.value
    try:
        return json.loads(f'"{literal.value}"')
    except ValueError:
        return literal.value


def _regex_literal(pattern: str) -> Detector:
    """A regex.* call with a string literal argument matching pattern."""
    compiled = re.compile(pattern)

    def detect(source: RegoSource) -> Iterable[int]:
        for name, offset in source.calls():
            if name.startswith("regex.") and any(compiled.search(_literal_text(s)) for s in source.string_arguments(offset)):
                yield offset

    return detect


# A format verb: %%, or % flags width .precision verb.
_VERB = re.compile(r"%(?:%|(?P<flags>[-+# 0]*)(?P<width>[0-9]*)(?:\.(?P<precision>[0-9]*))?(?P<verb>[a-zA-Z]))")


def _sprintf(accept: Callable[[re.Match[str]], bool]) -> Detector:
    """A sprintf whose format literal has a verb that `accept` rejects."""

    def detect(source: RegoSource) -> Iterable[int]:
        for name, offset in source.calls():
            if name != "sprintf":
                continue
            literals = source.string_arguments(offset)
            if not literals or source.code[source.call_span(offset)[0] : literals[0].start].strip():
                continue  # the format is not a literal: nothing to read
            for verb in _VERB.finditer(_literal_text(literals[0])):
                if verb.group(0) != "%%" and not accept(verb):
                    yield offset
                    break

    return detect


def _portable_verb(verb: re.Match[str]) -> bool:
    return not verb.group("flags") and not verb.group("width") and verb.group("precision") is None and verb.group("verb") in "svdf"


def _empty_search(source: RegoSource) -> Iterable[int]:
    """replace(x, "", y) and strings.replace_n({"": ...}, x): an empty string to search for."""
    for name, offset in source.calls():
        if name not in ("replace", "strings.replace_n"):
            continue
        start, end = source.call_span(offset)
        args = source.text[start:end]
        if (name == "replace" and re.match(r"[^,]+,\s*\"\"\s*,", args)) or (name == "strings.replace_n" and re.search(r"\{\s*\"\"\s*:", args)):
            yield offset


DIVERGENCES: tuple[Divergence, ...] = (
    # --- regular expressions -------------------------------------------------------------
    Divergence(
        "regex-flags",
        "a regex literal with inline flags: `(?i)`, `(?s)`, `(?m)`, `(?U)`, named groups `(?P<n>...)`",
        "regex.match(`(?i)hello`, \"Hello\")",
        {"opa": "true", "regorus": "true", "regopy": "undefined"},
        "spell the cases out (`[Hh]ello`) or `lower()` the text first; group without naming",
        refuse_on=frozenset({"regopy"}),
        detect=_regex_literal(r"\(\?"),
    ),
    Divergence(
        "regex-unicode-property",
        "a regex literal with a Unicode class `\\pL`, `\\p{Greek}`",
        "regex.match(`^\\pL+$`, \"héllo\")",
        {"opa": "true", "regorus": "true", "regopy": "false"},
        "list the characters in a class (`[A-Za-zÀ-ÿ]`)",
        refuse_on=frozenset({"regopy"}),
        detect=_regex_literal(r"\\[pP]"),
    ),
    Divergence(
        "regex-perl-class",
        "a regex literal with `\\d`, `\\w`, `\\s`, `\\b` (or their negations)",
        "regex.match(`^\\d$`, \"٣\")",
        {"opa": "false", "regorus": "true", "regopy": "false"},
        "ASCII classes: `[0-9]`, `[A-Za-z0-9_]`, `[ \\t\\n\\r\\f\\v]` (regorus gives `\\d`, `\\w`, `\\s`, `\\b` their Unicode meaning; OPA's RE2 the ASCII one)",
        refuse_on=frozenset({"regorus"}),
        detect=_regex_literal(r"(?<!\\)(?:\\\\)*\\[dDwWsSbB]"),
    ),
    Divergence(
        "regex-quote",
        "a regex literal with `\\Q...\\E`",
        "regex.match(`\\Qa.b\\E`, \"a.b\")",
        {"opa": "true", "regorus": "error", "regopy": "false"},
        "escape each metacharacter (`a\\.b`)",
        refuse_on=EMBEDDED,
        detect=_regex_literal(r"\\Q"),
    ),
    Divergence(
        "regex-dot-non-ascii",
        "a regex `.` meeting a non-ASCII character",
        "regex.match(`^.$`, \"é\")",
        {"opa": "true", "regorus": "true", "regopy": "false"},
        "not detectable in the source; on regopy match non-ASCII text with an explicit class, or run regorus",
    ),
    # --- time ----------------------------------------------------------------------------
    Divergence(
        "time-parse",
        "`time.parse_rfc3339_ns`, `time.parse_ns` (the Hub's timestamps)",
        "time.parse_rfc3339_ns(\"2026-06-01T00:00:00.000Z\")",
        {"opa": "1780272000000000000", "regorus": "1780272000000000000", "regopy": "undefined"},
        "compare `YYYY-MM-DD` strings with `input.today`, or read a day count the input carries (`facts.days_since_modified`)",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("time.parse_rfc3339_ns", "time.parse_ns"),
    ),
    Divergence(
        "time-diff",
        "`time.diff`",
        "time.diff(1767225600000000000, 1735689600000000000)",
        {"opa": "[1, 0, 0, 0, 0, 0]", "regorus": "[1, 0, 0, 0, 0, 0]", "regopy": "[0, 11, 30, 4, 39, 54]"},
        "compare `YYYY-MM-DD` strings, or use day counts from the input",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("time.diff"),
    ),
    Divergence(
        "time-format",
        "`time.format` with one argument",
        "time.format(1780272000000000000)",
        {"opa": '"2026-06-01T00:00:00Z"', "regorus": '"2026-06-01T00:00:00Z"', "regopy": '"2026-06-01T00:00:00.000000000Z"'},
        "give the layout: `time.format([ns, \"UTC\", \"2006-01-02\"])` agrees everywhere",
        refuse_on=frozenset({"regopy"}),
        detect=lambda source: (offset for name, offset in source.calls() if name == "time.format" and not source.arguments_start_with(offset, "[")),
    ),
    Divergence(
        "time-now",
        "`time.now_ns`, `rand.intn`, `uuid.rfc4122`",
        "uuid.rfc4122(\"seed\")",
        {"opa": "a random value", "regorus": "a random value", "regopy": "a random value"},
        "use `input.today` for the date; a gate must give the same answer for the same input on every run and engine",
        refuse_on=ALL_ENGINES,
        detect=_calls("time.now_ns", "rand.intn", "uuid.rfc4122"),
    ),
    # --- networks ------------------------------------------------------------------------
    Divergence(
        "net-cidr",
        "`net.cidr_contains`, `net.cidr_is_valid`, `net.cidr_expand`",
        "net.cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")",
        {"opa": "true", "regorus": "true", "regopy": "undefined"},
        "run regorus or OPA; regopy implements no `net.*` builtin",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("net.cidr_contains", "net.cidr_is_valid", "net.cidr_expand"),
    ),
    Divergence(
        "net-cidr-missing",
        "`net.cidr_intersects`, `net.cidr_merge`, `net.cidr_contains_matches`",
        "net.cidr_intersects(\"10.0.0.0/8\", \"10.1.0.0/16\")",
        {"opa": "true", "regorus": "error", "regopy": "undefined"},
        "`net.cidr_contains` (both directions) on regorus; OPA for the others",
        refuse_on=EMBEDDED,
        detect=_calls("net.cidr_intersects", "net.cidr_merge", "net.cidr_contains_matches"),
    ),
    # OPA performs these; a policy from the repository's policy_dirs may not call them on any
    # engine (pipeline.py, docs/security.md), the workflow's --policy folders may on OPA.
    Divergence(
        "network",
        "`http.send`, `net.lookup_ip_addr`",
        "net.lookup_ip_addr(\"localhost\")",
        {"opa": '["127.0.0.1"]', "regorus": "error", "regopy": "undefined"},
        "put what the policy needs in the configuration (`custom.<name>`) or a `data.json` beside the policy, or run it on OPA "
        "from the workflow's `--policy` folders (a policy from the repository's `policy_dirs` may not reach the network)",
        refuse_on=EMBEDDED,
        detect=_calls("http.send", "net.lookup_ip_addr"),
    ),
    # --- strings -------------------------------------------------------------------------
    Divergence(
        "render-template",
        "`strings.render_template`",
        "strings.render_template(\"{{.a}}-{{.b}}\", {\"a\": 1, \"b\": \"x\"})",
        {"opa": '"1-x"', "regorus": "error", "regopy": "undefined"},
        "`sprintf(\"%v-%s\", [a, b])`",
        refuse_on=EMBEDDED,
        detect=_calls("strings.render_template"),
    ),
    Divergence(
        "sprintf-d",
        "`sprintf` with `%d`",
        "sprintf(\"%d\", [0 - 3])",
        {"opa": '"-3"', "regorus": '"--3"', "regopy": '"-3"'},
        "`%v`, which prints integers alike everywhere",
        refuse_on=frozenset({"regorus"}),
        detect=_sprintf(lambda v: v.group("verb") != "d"),
    ),
    Divergence(
        "sprintf-f",
        "`sprintf` with `%f`, `%.2f`",
        "sprintf(\"%.1f\", [-1.25])",
        {"opa": '"-1.2"', "regorus": '"-1.3"', "regopy": '"-1.2"'},
        "print a rounded whole number: `format_int(round(x * 10), 10)` and place the point in the message",
        refuse_on=frozenset({"regorus"}),
        detect=_sprintf(lambda v: v.group("verb") != "f"),
    ),
    Divergence(
        "sprintf-other-verbs",
        "`sprintf` with a verb other than `%s %v %d %f`, or a flag or width (`%x`, `%q`, `%T`, `%-4s`, `%05.1f`)",
        "sprintf(\"%x\", [\"hi\"])",
        {"opa": '"6869"', "regorus": '""', "regopy": "undefined"},
        "`%s` and `%v` only; pad or convert in Rego (`hex.encode`)",
        refuse_on=EMBEDDED,
        detect=_sprintf(_portable_verb),
    ),
    Divergence(
        "empty-search-string",
        "`replace(s, \"\", x)`, `strings.replace_n({\"\": x}, s)`",
        "replace(\"ab\", \"\", \"x\")",
        {"opa": '"xaxbx"', "regorus": '"xaxbx"', "regopy": "hangs"},
        "never search for the empty string (regopy loops until it runs out of memory)",
        refuse_on=frozenset({"regopy"}),
        detect=_empty_search,
    ),
    Divergence(
        "strings-count",
        "`strings.count`",
        "strings.count(\"aaa\", \"aa\")",
        {"opa": "1", "regorus": "2", "regopy": "1"},
        "`count(split(s, sub)) - 1` (non-overlapping, as OPA counts)",
        refuse_on=frozenset({"regorus"}),
        detect=_calls("strings.count"),
    ),
    Divergence(
        "urlquery-encode",
        "`urlquery.encode`, `urlquery.encode_object`",
        "urlquery.encode(\"a b&c\")",
        {"opa": '"a+b%26c"', "regorus": '"a+b%26c"', "regopy": '"a%20b%26c"'},
        "build the query with `concat` over values you know are safe, or run regorus",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("urlquery.encode", "urlquery.encode_object"),
    ),
    Divergence(
        "format-int",
        "`format_int`",
        "format_int(-15, 2)",
        {"opa": '"-1111"', "regorus": '"-1111"', "regopy": '"01"'},
        "`sprintf(\"%v\", [n])` for base 10; regopy gets negative numbers and numbers beyond 64 bits wrong",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("format_int"),
    ),
    Divergence(
        "trace",
        "`trace(msg)`",
        "[1 | trace(\"x\")]",
        {"opa": "[1]", "regorus": "[1]", "regopy": "undefined"},
        "`print(...)`: regopy has no `trace`, so the rule (even a comprehension around it) is undefined",
        refuse_on=frozenset({"regopy"}),
        detect=_calls("trace"),
    ),
    Divergence(
        "rego-metadata",
        "`rego.metadata.rule()`, `rego.metadata.chain()`",
        "rego.metadata.chain()",
        {"opa": '[{"path": ["example", "x"]}]', "regorus": "error", "regopy": "undefined"},
        "keep the rule id and severity in the rule body (`lib.finding(\"org/x\", \"deny\", ...)`); reports read the METADATA from the file",
        refuse_on=EMBEDDED,
        detect=_calls(prefixes=("rego.metadata.",)),
    ),
    Divergence(
        "crypto",
        "`crypto.*`, `io.jwt.*`, `regex.globs_match`",
        "crypto.sha256(\"a\")",
        {"opa": '"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"', "regorus": "error", "regopy": '"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"'},
        "regorus has none of these: run `--engine opa` (or regopy)",
        refuse_on=frozenset({"regorus"}),
        detect=_calls("regex.globs_match", prefixes=("crypto.", "io.jwt.")),
    ),
    # --- values, not visible in the source -------------------------------------------------
    Divergence(
        "type-error",
        "a builtin given the wrong type at run time: `lower(null)`, `count(null)`, `input.s + 1`",
        "lower(input.n)",
        {"opa": "error", "regorus": "error", "regopy": "undefined"},
        "guard the value (`is_string(x)` before `lower(x)`); an OPA server asked without `strict-builtin-errors` answers undefined too (aiospo-ci asks with it)",
        input={"n": None},
    ),
    Divergence(
        "division-by-zero",
        "`x / y`, `x % y` with `y == 0`",
        "1 / input.zero",
        {"opa": "error", "regorus": "error", "regopy": "undefined"},
        "test `y != 0` first",
        input={"zero": 0},
    ),
    Divergence(
        "concat-set-order",
        "`concat` over a set",
        "concat(\",\", {\"b\", \"a\"})",
        {"opa": '"a,b"', "regorus": '"a,b"', "regopy": '"b,a"'},
        "`concat(\",\", sort(s))`",
    ),
    Divergence(
        "computed-string-quoting",
        "`sprintf(\"%s\", [s])` where `s` came from a builtin or function (`lower`, `concat`, `split`)",
        "sprintf(\"%s-%s\", [lower(\"A\"), concat(\"/\", [\"x\", \"y\"])])",
        {"opa": '"a-x/y"', "regorus": '"a-x/y"', "regopy": '"\\"a\\"-\\"x/y\\""'},
        "pass it through `trim_space(...)` first",
    ),
    Divergence(
        "sprintf-collections",
        "`sprintf(\"%s\", [array or object])`",
        "sprintf(\"%s\", [[\"a\"]])",
        {"opa": '"[\\"a\\"]"', "regorus": '"[\\"a\\"]"', "regopy": '"a"'},
        "`concat(\", \", items)` for arrays of strings, `json.marshal` for the rest (see below)",
    ),
    Divergence(
        "sprintf-non-string",
        "`%s` given a number",
        "sprintf(\"%s\", [1])",
        {"opa": '"%!s(int64=1)"', "regorus": '"1"', "regopy": '"1"'},
        "`%v` for numbers",
    ),
    Divergence(
        "json-marshal",
        "`json.marshal` of `<`, `>`, `&` or a float",
        "json.marshal({\"a\": \"<&>\"})",
        {"opa": '"{\\"a\\":\\"\\\\u003c\\\\u0026\\\\u003e\\"}"', "regorus": '"{\\"a\\":\\"<&>\\"}"', "regopy": '"{\\"a\\":\\"<&>\\"}"'},
        "do not put `json.marshal` output in messages that must match across engines",
    ),
    Divergence(
        "float-arithmetic",
        "decimal arithmetic: `0.1 + 0.2`, `3.0`, `1e400`",
        "0.1 + 0.2",
        {"opa": "0.3", "regorus": "0.30000000000000004", "regopy": "0.3"},
        "compare with a tolerance or work in whole numbers (percent, days)",
    ),
    Divergence(
        "case-mapping",
        "`lower`/`upper` of non-ASCII text",
        "lower(\"ÀÉ\")",
        {"opa": '"àé"', "regorus": '"àé"', "regopy": '"ÀÉ"'},
        "compare ids and license names as the Hub spells them (ASCII); regorus also maps `upper(\"ß\")` to `SS`",
    ),
    Divergence(
        "null-comparison",
        "`<`, `>`, `<=`, `>=` with `null` (a fact the Hub did not give): `r.facts.parameter_count > 1000`",
        "input.n > 1",
        {"opa": "false", "regorus": "false", "regopy": "true"},
        "test the type first: `is_number(x); x > 1000` (regopy orders `null` above numbers)",
        input={"n": None},
    ),
    Divergence(
        "mixed-type-order",
        "`sort` or `<` across types (`null < false`, `[1] < [1, 0]`)",
        "sort([3, \"a\", null, true, 1])",
        {"opa": '[null, true, 1, 3, "a"]', "regorus": '[null, true, 1, 3, "a"]', "regopy": '["a", 1, 3, null, true]'},
        "sort and compare values of one type",
    ),
    Divergence(
        "semver-v-prefix",
        "`semver.is_valid`, `semver.compare` on `v1.2.3`",
        "semver.is_valid(\"v1.2.3\")",
        {"opa": "true", "regorus": "false", "regopy": "false"},
        "`trim_prefix(v, \"v\")` first",
    ),
    Divergence(
        "glob-invalid-pattern",
        "`glob.match` with an invalid pattern (`a[`)",
        "glob.match(\"a[\", null, \"a\")",
        {"opa": "error", "regorus": "error", "regopy": "false"},
        "only `*` and `?` patterns (see `lib.matches`)",
    ),
    Divergence(
        "to-number-hex",
        "`to_number(\"0x10\")`",
        "to_number(\"0x10\")",
        {"opa": "error", "regorus": "error", "regopy": "16"},
        "decimal strings only",
    ),
)


def refusals(sources: Iterable[RegoSource], engine: str) -> list[str]:
    """One sentence per construct in `sources` that `engine` evaluates differently from OPA."""
    found = []
    for source in sources:
        for row in DIVERGENCES:
            if row.detect is None or engine not in row.refuse_on:
                continue
            for offset in row.detect(source):
                if row.refuse_on == ALL_ENGINES:
                    why = "no engine may evaluate it in aiospo-ci"
                else:
                    answer = row.measured.get(engine, "?")
                    why = f"{engine} answers {answer} where OPA answers {row.measured['opa']} (`{row.example}`)"
                found.append(f"{source.where(offset)}: {_plain(row.construct)}: {why}; instead: {_plain(row.fix)}.")
    return found


def _plain(markdown: str) -> str:
    return markdown.replace("`", "'")


def markdown_table() -> str:
    """The table docs/policies.md shows (tests/policy/make_divergence_docs.py writes it there)."""
    lines = [
        "| construct | OPA | regorus | regopy | refused at load on | write instead |",
        "|---|---|---|---|---|---|",
    ]
    for row in DIVERGENCES:
        refused = "every engine" if row.refuse_on == ALL_ENGINES else ", ".join(sorted(row.refuse_on)) if row.refuse_on else "— (depends on values)"
        cells = [row.construct, *(_cell(row.measured[e]) for e in ("opa", "regorus", "regopy")), refused, row.fix]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    example_note = "Each row's example, as measured: " + "; ".join(f"`{row.id}`: {_code(row.example)}" for row in DIVERGENCES) + "."
    return "\n".join(lines) + "\n\n" + example_note + "\n"


def _code(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _cell(outcome: str) -> str:
    return outcome if outcome in ("undefined", "error", "hangs", "a random value") else f"`{outcome}`"
