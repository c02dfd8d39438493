"""Markdown for the pull-request comment and the job summary.

Layout: a hidden marker (so the Action finds its own sticky comment), a verdict line, a table of
models (id, license, category, pin, verdict), the findings grouped by severity with waived ones
shown as waived, run notes, and the full inventory in a collapsible block.

Everything from the scanned tree or the Hub is data and is escaped: ids go into code spans (no
links, no @-mentions, no HTML), free text is backslash-escaped and HTML-escaped, and `|` is
escaped inside tables, so no value can break out of a table, a code span or the marker comment.
Secrets are redacted before escaping and control characters are written as escapes (\x1b).

The whole text stays under a byte limit (GitHub: 65,536 characters for a comment, 1 MiB for a
job summary): when it would not fit, each section is cut with an "N more" note, findings first
in line for space, the inventory last.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiospo_ci.model import SEVERITY_ORDER, CheckResult, Finding, ModelReference
from aiospo_ci.report.interface import Report
from aiospo_ci.report.text import one_line
from aiospo_ci.scope import SCOPES
from aiospo_ci.secrets import redact

MARKER = "<!-- aiospo-ci -->"
COMMENT_LIMIT = 65_536  # GitHub's limit on an issue comment body
SUMMARY_LIMIT = 1_048_576 - 1_024  # $GITHUB_STEP_SUMMARY: 1 MiB per step, minus room for notes
MESSAGE_LIMIT = 1_000  # one finding's message in the report; the SARIF and JSON keep it whole

SEVERITY_LABEL = {"deny": "Denied", "warn": "Warnings", "info": "Notes"}
SEVERITY_ICON = {"deny": ":x:", "warn": ":warning:", "info": ":information_source:"}
VERDICT = {"deny": ":x: deny", "warn": ":warning: warn", "info": ":information_source: info"}

# Inline markdown that text from the scanned tree must not trigger: escapes, code spans,
# emphasis, links and images, HTML and entities, table cells, strikethrough, math, emoji.
_INLINE = re.compile(r"([\\`*_{}\[\]<>&|~$:])")
# Block markers matter only at the start of a line (a note in a blockquote starts one).
_LEADING = re.compile(r"^([#>+=-]|\d+(?=[.)]))")
_SPACE = re.compile(r"\s+")
# Characters whose backslash escape GitHub may still read as HTML go in as entities.
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _one_line(value: str, limit: int = MESSAGE_LIMIT) -> str:
    """Secrets redacted, whitespace runs made one space, other control characters escaped,
    and cut to `limit` (after redaction, so no half token is left)."""
    value = one_line(_SPACE.sub(" ", redact(value)).strip())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def escape_inline(line: str) -> str:
    """Markdown and HTML characters escaped, and @ defused (no mention), in one line of text."""
    escaped = _INLINE.sub(lambda m: _ENTITY.get(m.group(1), "\\" + m.group(1)), line)
    return escaped.replace("@", "@&#8203;")


def text(value: object, limit: int = MESSAGE_LIMIT) -> str:
    """Free text as inert markdown: one line, markdown and HTML characters escaped, and @
    defused so nobody is mentioned by a string from the scanned tree."""
    escaped = escape_inline(_one_line(str(value), limit))
    return _LEADING.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), escaped)


def code(value: object, limit: int = 300, table: bool = True) -> str:
    """A code span that holds any string: the fence is longer than any run of backticks inside,
    and in a table `|` is escaped because GFM splits cells before it reads code spans."""
    content = _one_line(str(value), limit)
    if "##[" in content:  # GitHub's runner reads `##[` as a command anywhere in a log line
        return text(value, limit)
    if table:
        content = content.replace("|", "\\|")
    if not content:
        return "` `"
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") or longest else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _n(count: int, singular: str, plural: str = "") -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _size(s: str) -> int:
    return len(s.encode("utf-8"))


@dataclass
class Section:
    """A block of lines that can be cut: `head` and `tail` always stay, `items` are cut from the
    end with a note saying how many were left out."""

    head: list[str]
    items: list[str]
    tail: list[str] = field(default_factory=list)
    what: str = "lines"

    def full_size(self) -> int:
        return sum(_size(line) + 1 for line in self.head + self.items + self.tail)

    def note(self, dropped: int) -> str:
        return f"_… and {dropped} more {self.what}: see the job summary, the SARIF file or `aiospo-ci check --format json`._"

    def min_size(self) -> int:
        """The least this section needs: head, tail and the note, or all of it if smaller."""
        fixed = sum(_size(line) + 2 for line in self.head + self.tail) + _size(self.note(len(self.items))) + 2
        return min(self.full_size(), fixed)

    def render(self, budget: int) -> list[str]:
        if self.full_size() <= budget:
            return self.head + self.items + self.tail
        used = self.min_size()
        kept: list[str] = []
        for item in self.items:
            if used + _size(item) + 1 > budget:
                break
            kept.append(item)
            used += _size(item) + 1
        # the note goes after a blank line so it never becomes part of a table
        return self.head + kept + ([""] if kept else []) + [self.note(len(self.items) - len(kept))] + self.tail


def model_key(ref: ModelReference) -> tuple[str, str]:
    return (ref.kind, ref.id)


@dataclass
class _ModelRow:
    kind: str
    id: str
    license: str | None = None
    pins: set = field(default_factory=set)
    worst: str | None = None
    waived: int = 0
    baselined: int = 0


class MarkdownReport(Report):
    """The report as GitHub-flavoured markdown.

    `limit`: the byte budget (65,536 for a comment). `categories`: (kind, id) -> license category
    as the policies define it (data.aiospo.lib.license_category; Python keeps no copy of the
    catalogue); None asks the built-in policy library; a model without one shows a dash. `changed_refs`: with only_changed,
    the indexes of the references in scope (marked in the tables)."""

    name = "markdown"

    def __init__(
        self,
        limit: int = COMMENT_LIMIT,
        categories: Mapping[tuple[str, str], str] | None = None,
        changed_refs: frozenset[int] | None = None,
        notes: Sequence[str] = (),
        title: str = "aiospo-ci",
    ) -> None:
        self.limit = limit
        self.categories = dict(categories) if categories is not None else None
        self.changed_refs = changed_refs
        self.notes = tuple(notes)
        self.title = title

    # -- pieces ---------------------------------------------------------------------------
    def _headline(self, result: CheckResult) -> list[str]:
        c = result.counts()
        if c["deny"]:
            icon = ":x:"
        elif c["warn"]:
            icon = ":warning:"
        else:
            icon = ":white_check_mark:"
        models = len({model_key(r) for r in result.scan.references})
        baselined = f", {c['baselined']} baselined" if c["baselined"] else ""
        lines = [
            MARKER,
            f"## {icon} {text(self.title)}: {c['deny']} denied, {_n(c['warn'], 'warning')}, {_n(c['info'], 'note')}, {c['waived']} waived{baselined}",
            "",
            f"{_n(models, 'model or dataset', 'models and datasets')} in {_n(len(result.scan.references), 'reference')}, "
            f"{_n(result.scan.files_scanned, 'file')} scanned.",
        ]
        scopes = Counter(result.scope_of(f) or "runtime" for f in result.findings)
        if set(scopes) - {"runtime"}:
            lines[-1] += " Findings by scope: " + ", ".join(f"{s} {scopes[s]}" for s in SCOPES if scopes[s]) + "."
        for name, revision in sorted(result.bundles.items()):
            lines += ["", f"Policy bundle {code(name, table=False)} at revision {code(revision, table=False)}."]
        if self.changed_refs is not None:
            lines += [
                "",
                f"Only what this change decides counts toward the verdict: {len(self.changed_refs)} of {len(result.scan.references)} "
                "references are in scope (marked :pencil2:). Everything found is listed below.",
            ]
        for note in self.notes:
            lines += ["", f"> {text(note, 2_000)}"]
        return lines + [""]

    def _categories(self, result: CheckResult) -> dict[tuple[str, str], str]:
        if self.categories is None:
            from aiospo_ci.action.categories import license_categories

            self.categories, _ = license_categories(result, ())
        return self.categories

    def _models(self, result: CheckResult) -> Section:
        rows: dict[tuple[str, str], _ModelRow] = {}
        for index, ref in enumerate(result.scan.references):
            row = rows.setdefault(model_key(ref), _ModelRow(kind=ref.kind, id=ref.id))
            row.pins.add(ref.pin)
            fact = result.facts[index] if index < len(result.facts) else None
            if fact is not None and fact.license and not row.license:
                row.license = fact.license
        for finding in result.findings:
            if finding.ref is None:
                continue
            row = rows[model_key(result.scan.references[finding.ref])]
            if finding.baselined:
                row.baselined += 1
            elif finding.waived:
                row.waived += 1
            elif row.worst is None or SEVERITY_ORDER[finding.severity] < SEVERITY_ORDER[row.worst]:
                row.worst = finding.severity
        items = []
        categories = self._categories(result) if rows else {}
        for key in sorted(rows, key=lambda k: (k[1], k[0])):
            row = rows[key]
            category = categories.get(key)
            verdict = VERDICT[row.worst] if row.worst else ":white_check_mark: pass"
            if row.waived:
                verdict += f" ({row.waived} waived)"
            if row.baselined:
                verdict += f" ({row.baselined} baselined)"
            ident = code(row.id) + (" (dataset)" if row.kind == "dataset" else "")
            items.append(
                f"| {ident} | {code(row.license) if row.license else '—'} | {text(category) if category else '—'} "
                f"| {', '.join(sorted(row.pins))} | {verdict} |"
            )
        head = ["### Models", "", "| Model | License | Category | Pin | Verdict |", "|---|---|---|---|---|"]
        if not items:
            return Section(head=["### Models", "", "No model or dataset references were found.", ""], items=[])
        return Section(head=head, items=items, tail=[""], what="models")

    def _finding_line(self, result: CheckResult, finding: Finding) -> str:
        meta = result.rules.get(finding.rule) or {}
        title = finding.title or meta.get("title") or ""
        ref = result.scan.references[finding.ref] if finding.ref is not None else None
        head = f"**{text(title, 200)}** ({code(finding.rule, 120, False)})" if title else code(finding.rule, 120, False)
        where = f" — {code(f'{ref.file}:{ref.line}', table=False)} {code(ref.id, table=False)}" if ref else " — (run)"
        if ref is None and finding.file:
            where = f" — {code(finding.file + (f':{finding.line}' if finding.line else ''), table=False)}"
        changed = " :pencil2:" if (self.changed_refs is not None and finding.ref in self.changed_refs) else ""
        scope = result.scope_of(finding)
        scope_tag = f" _({scope})_" if scope not in (None, "runtime") else ""
        line = f"- {head}{where}{scope_tag}{changed}: {text(finding.message)}"
        if finding.waived:
            waiver = dict(finding.waiver or ())
            detail = ", ".join(
                f"{key} {text(waiver[key], 300)}" for key in ("justification", "approver", "expires") if waiver.get(key)
            )
            line = f"- ~~{line[2:]}~~ — waived" + (f" ({detail})" if detail else "")
        return line

    def _findings(self, result: CheckResult) -> list[Section]:
        sections = []
        groups: dict[str, list[Finding]] = {"deny": [], "warn": [], "info": [], "waived": [], "baselined": []}
        order = {scope: i for i, scope in enumerate(SCOPES)}
        # within a severity, shipped code first, then each other scope together
        for finding in sorted(result.findings, key=lambda f: order.get(result.scope_of(f) or "runtime", 0)):
            groups[finding.status].append(finding)
        if not result.findings:
            return [Section(head=["### Findings", "", "No findings.", ""], items=[])]
        sections.append(Section(head=["### Findings", ""], items=[]))
        for key in ("deny", "warn", "info", "waived", "baselined"):
            found = groups[key]
            if not found:
                continue
            label = {"waived": ":zzz: Waived", "baselined": ":card_file_box: Baselined (accepted findings; they do not fail the check)"}.get(
                key, f"{SEVERITY_ICON.get(key, '')} {SEVERITY_LABEL.get(key, '')}"
            )
            sections.append(
                Section(
                    head=[f"#### {label} ({len(found)})", ""],
                    items=[self._finding_line(result, f) for f in found],
                    tail=[""],
                    what="findings",
                )
            )
        return sections

    def _run_notes(self, result: CheckResult) -> Section:
        items = [f"- {text(w, 2_000)}" for w in result.warnings]
        items += [f"- scan error in {code(e.file, table=False)}: {text(e.reason, 500)}" for e in result.scan.errors]
        if result.scan.skipped_note():
            items.append(f"- {text(result.scan.skipped_note(), 2_000)}")
        if not items:
            return Section(head=[], items=[])
        return Section(head=["### Run notes", ""], items=items, tail=[""], what="notes")

    def _inventory(self, result: CheckResult) -> Section:
        refs = result.scan.references
        if not refs:
            return Section(head=[], items=[])
        head = [
            "<details>",
            f"<summary>Full inventory ({len(refs)} references)</summary>",
            "",
            "| File | Line | Kind | Id | Source | Call | Revision | Pin | Flags |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        items = []
        for index, ref in enumerate(refs):
            changed = " :pencil2:" if (self.changed_refs is not None and index in self.changed_refs) else ""
            items.append(
                f"| {code(ref.file)}{changed} | {ref.line} | {ref.kind} | {code(ref.id)} | {ref.source} | "
                f"{code(ref.call) if ref.call else '—'} | {code(ref.revision) if ref.revision else '—'} | {ref.pin} | "
                f"{code(', '.join(ref.flags)) if ref.flags else '—'} |"
            )
        return Section(head=head, items=items, tail=["", "</details>", ""], what="references")

    def render_headline(self, result: CheckResult) -> str:
        """The verdict line, scope and notes without the marker (a check run's summary)."""
        return "\n".join(self._headline(result)[1:]) + "\n"

    # -- the whole ------------------------------------------------------------------------
    def render_check(self, result: CheckResult) -> str:
        headline = self._headline(result)
        models = self._models(result)
        findings = self._findings(result)
        notes = self._run_notes(result)
        inventory = self._inventory(result)
        footer = ["<sub>aiospo-ci: the verdicts come from the Rego policies; details in the SARIF and JSON reports.</sub>"]

        budget = self.limit - sum(_size(line) + 1 for line in headline + footer)
        order = findings + [models, notes, inventory]
        # Every section first gets room for its heading and an "N more" note, so nothing is
        # dropped without saying so; the rest goes to the findings, then the models, the run
        # notes and the inventory, in that order.
        budgets = {id(section): section.min_size() for section in order}
        budget -= sum(budgets.values())
        for section in order:
            extra = max(0, min(section.full_size() - budgets[id(section)], budget))
            budgets[id(section)] += extra
            budget -= extra
        lines = list(headline)
        for section in [models] + findings + [notes, inventory]:
            if section.head or section.items:
                lines += section.render(budgets[id(section)])
        lines += footer
        out = "\n".join(lines) + "\n"
        # A last guard: the budgets above are conservative, but never exceed the limit.
        if _size(out) > self.limit:
            out = out.encode("utf-8")[: self.limit - 200].decode("utf-8", "ignore") + "\n\n_… cut to fit GitHub's limit._\n"
        return out
