"""The organisation's inventory as one self-contained HTML page: summary tiles, license
categories and what the policy says about them as charts, the models nearest their sunset, and
a searchable, sortable table of every model with the repositories, places and owners using it.

Everything is inline (CSS, SVG charts, a few lines of JavaScript for search, filters and
sorting): no external asset, no network, so the page opens from an artefact or a mail. Every
name on it comes from the BOMs, which repositories wrote, so every one is escaped, and a
Content-Security-Policy with the hashes of the page's own style and script keeps anything that
slipped through from loading or running. The table still reads without JavaScript.

Rows are models (a model used at several commits is one row listing its versions); the license
category and severity of each come from the policies (inventory_merge.judge).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import html
import math
from collections import Counter
from dataclasses import dataclass, field

from aiospo_ci import __version__
from aiospo_ci.inventory import Item, Use
from aiospo_ci.inventory_merge import Deprecation, Judgement, OrgView
from aiospo_ci.report.cyclonedx import bom_ref_for
from aiospo_ci.report.inventory_markdown import license_of, where_from

CATEGORIES = ("permissive", "weak-copyleft", "copyleft", "community", "rail", "non-commercial", "unknown", "not judged")
CATEGORY_COLOURS = {
    "permissive": "#2e7d32", "weak-copyleft": "#00897b", "copyleft": "#1e88e5", "community": "#8e24aa",
    "rail": "#5e35b1", "non-commercial": "#e65100", "unknown": "#c62828", "not judged": "#9e9e9e",
}
SEVERITIES = ("deny", "warn", "info", "allow", "not judged")
SEVERITY_COLOURS = {"deny": "#c62828", "warn": "#ef6c00", "info": "#1565c0", "allow": "#2e7d32", "not judged": "#9e9e9e"}
SEVERITY_WORDS = {"deny": "denied", "warn": "warned", "info": "noted", "allow": "allowed", "not judged": "not judged"}
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SOON_DAYS = 90  # a sunset this close is highlighted
TOP_MODELS = 10


def e(value: object) -> str:
    """Escape for HTML text and attribute values (quotes too)."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class Row:
    """One model (all its versions) as the table shows it."""

    item: Item  # the version with the most severe judgement, for names and facts
    versions: list[str] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    judgement: Judgement = field(default_factory=lambda: Judgement(None, "not judged"))
    deprecation: Deprecation | None = None

    @property
    def repositories(self) -> list[str]:
        return sorted({u.repository or "" for u in self.uses})

    @property
    def owners(self) -> list[str]:
        return sorted({o for u in self.uses for o in u.owners})

    @property
    def category(self) -> str:
        if self.item.source != "huggingface":
            return ""
        return self.judgement.category or "not judged"

    @property
    def severity(self) -> str:
        return self.judgement.license_severity if self.item.source == "huggingface" else ""


def rows_of(view: OrgView) -> list[Row]:
    rows: dict[tuple, Row] = {}
    for item in view.inventory.items:
        key = (item.kind, item.source, item.id.lower(), item.provider or "", item.repository or "")
        judgement = view.judgements.get(bom_ref_for(item), Judgement(None, "not judged"))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(item=item, judgement=judgement)
        elif _RANK.get(judgement.license_severity, 9) < _RANK.get(row.judgement.license_severity, 9):
            row.item, row.judgement = item, judgement
        if item.version:
            row.versions.append(item.version)
        row.uses.extend(item.uses)
        if judgement.deprecation and (row.deprecation is None or judgement.deprecation.severity == "deny"):
            row.deprecation = judgement.deprecation
    for row in rows.values():
        row.uses.sort(key=Use.sort_key)
        row.versions = sorted(set(row.versions))
    return sorted(rows.values(), key=lambda r: (-len(r.repositories), r.item.id.lower(), r.item.kind))


# -- charts (inline SVG) -----------------------------------------------------------------------------


def _donut(counts: list[tuple[str, int, str]], label: str, filter_name: str) -> str:
    total = sum(n for _, n, _ in counts)
    if not total:
        return '<p class="empty">No Hub models or datasets.</p>'
    radius = 100 / (2 * math.pi)  # circumference 100: dash lengths are percentages
    segments, legend, offset = [], [], 25.0
    for name, n, colour in counts:
        if not n:
            continue
        share = 100 * n / total
        segments.append(
            f'<circle class="segment" data-filter="{e(filter_name)}" data-value="{e(name)}" cx="21" cy="21" r="{radius:.5f}" fill="none" '
            f'stroke="{colour}" stroke-width="6" stroke-dasharray="{share:.3f} {100 - share:.3f}" stroke-dashoffset="{offset:.3f}">'
            f"<title>{e(name)}: {n} ({share:.0f}%)</title></circle>"
        )
        offset -= share
        legend.append(
            f'<li><button type="button" class="legend" data-filter="{e(filter_name)}" data-value="{e(name)}">'
            f'<svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{colour}"/></svg>'
            f"<span>{e(name)}</span><b>{n}</b></button></li>"
        )
    return (
        f'<div class="donut"><svg viewBox="0 0 42 42" role="img" aria-label="{e(label)}">{"".join(segments)}'
        f'<text x="21" y="21" class="donut-total">{total}</text><text x="21" y="26" class="donut-caption">{e(label)}</text></svg>'
        f'<ul class="legend-list">{"".join(legend)}</ul></div>'
    )


def _bars(counts: list[tuple[str, int, str, str]], filter_name: str | None, label: str, *, names_above: bool = False) -> str:
    """Horizontal bars: (name, value, colour, note). Short names sit left of their bar; long ones
    (model ids) above it, so none is cut."""
    shown = [c for c in counts if c[1]]
    if not shown:
        return '<p class="empty">Nothing to show.</p>'
    top = max(n for _, n, _, _ in shown)
    width = 460
    bar_x, row_h, bar_y, text_y = (0, 38, 18, 13) if names_above else (110, 30, 6, 19)
    parts = []
    for i, (name, n, colour, note) in enumerate(shown):
        y = i * row_h
        length = max(2.0, (width - bar_x - 40) * n / top)
        attrs = f' data-filter="{e(filter_name)}" data-value="{e(name)}"' if filter_name else ""
        text = name if len(name) <= 70 else name[:69] + "…"
        label_x, anchor = (0, "start") if names_above else (bar_x - 8, "end")
        parts.append(
            f'<g class="bar"{attrs}><title>{e(name)}: {n}{e(note)}</title>'
            f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="transparent"/>'  # the whole row answers a click
            f'<text x="{label_x}" y="{y + text_y}" class="bar-label" text-anchor="{anchor}">{e(text)}</text>'
            f'<rect x="{bar_x}" y="{y + bar_y}" width="{length:.1f}" height="{14 if names_above else 18}" rx="4" fill="{colour}"/>'
            f'<text x="{bar_x + length + 6:.1f}" y="{y + bar_y + (12 if names_above else 13)}" class="bar-value">{n}</text></g>'
        )
    height = len(shown) * row_h + 4
    return f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">{"".join(parts)}</svg>'


# -- the page ---------------------------------------------------------------------------------------

STYLE = """
:root{--ink:#1d2330;--muted:#5f6b7a;--line:#e3e7ee;--card:#fff;--bg:#f4f6fa;--accent:#3949ab}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:linear-gradient(120deg,#283593,#3949ab 60%,#5c6bc0);color:#fff;padding:28px 40px 70px}
header h1{margin:0 0 4px;font-size:26px;font-weight:650;letter-spacing:-.01em}
header p{margin:0;opacity:.85}
main{max-width:1280px;margin:-52px auto 40px;padding:0 24px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:14px;margin-bottom:18px}
.tile{background:var(--card);border-radius:12px;padding:14px 18px;box-shadow:0 1px 3px rgba(20,30,60,.12)}
.tile b{display:block;font-size:28px;font-weight:680;letter-spacing:-.02em}
.tile span{color:var(--muted);font-size:13px}
.tile.alert b{color:#c62828}.tile.soon b{color:#ef6c00}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:18px;margin-bottom:18px}
.card{background:var(--card);border-radius:12px;padding:18px 20px;box-shadow:0 1px 3px rgba(20,30,60,.12)}
.card h2{margin:0 0 12px;font-size:16px;font-weight:620}
.card h2 small{font-weight:400;color:var(--muted);margin-left:6px}
.donut{display:flex;align-items:center;gap:18px}
.donut>svg{width:180px;height:180px;flex:none}
.segment,.bar,.legend{cursor:pointer}
.segment:hover{stroke-width:7.5}
.donut-total{font-size:8px;font-weight:700;text-anchor:middle;fill:var(--ink)}
.donut-caption{font-size:2.6px;text-anchor:middle;fill:var(--muted)}
.legend-list{list-style:none;margin:0;padding:0;flex:1}
.legend{display:flex;align-items:center;gap:8px;width:100%;border:0;background:none;padding:3px 4px;border-radius:6px;font:inherit;color:inherit;text-align:left}
.legend:hover,.legend.active{background:#eef0fb}
.legend span{flex:1}
.bars{width:100%;height:auto}
.bar-label{font-size:13px;fill:var(--ink)}
.bar-value{font-size:12px;fill:var(--muted)}
.bar:hover rect{opacity:.8}.bar:hover rect[fill=transparent]{fill:#eef0fb;opacity:1}
.empty{color:var(--muted)}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;white-space:nowrap}
th[data-sort]{cursor:pointer}th[data-sort]:hover{color:var(--ink)}
th.sorted-asc::after{content:" ▲"}th.sorted-desc::after{content:" ▼"}
tbody tr:hover{background:#f8f9fd}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.model{font-weight:600;overflow-wrap:anywhere}
#models td:first-child{width:28%}
.sub{color:var(--muted);font-size:12px}
.chip{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.chip.light{background:#eceff1;color:var(--muted)}
.toolbar{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-bottom:12px}
.toolbar input{flex:1;min-width:240px;padding:9px 12px;border:1px solid var(--line);border-radius:8px;font:inherit}
.toolbar select{padding:8px;border:1px solid var(--line);border-radius:8px;font:inherit;background:#fff}
.count{color:var(--muted);font-size:13px}
details summary{cursor:pointer;color:var(--accent)}
details ul{margin:6px 0 0;padding-left:18px}
details li{margin:2px 0;overflow-wrap:anywhere}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.sunset td{white-space:nowrap}.sunset td:last-child{white-space:normal}
.reach{margin-top:10px}.reach th,.reach td{padding:4px 8px}.reach th:not(:first-child){text-align:right}
footer{color:var(--muted);font-size:12px;margin:20px 0}
footer ul{padding-left:18px}
"""

SCRIPT = """
(function(){
  var rows=[].slice.call(document.querySelectorAll('#models tbody tr'));
  var q=document.getElementById('q'),cat=document.getElementById('category'),sev=document.getElementById('severity');
  var count=document.getElementById('count');
  function apply(){
    var terms=q.value.toLowerCase().split(/\\s+/).filter(Boolean),shown=0;
    rows.forEach(function(r){
      var ok=terms.every(function(t){return r.dataset.search.indexOf(t)>=0;})
        &&(!cat.value||r.dataset.category===cat.value)&&(!sev.value||r.dataset.severity===sev.value);
      r.hidden=!ok;if(ok){shown++;}
    });
    count.textContent='Showing '+shown+' of '+rows.length+' models';
    [].slice.call(document.querySelectorAll('.legend')).forEach(function(b){
      var f=b.dataset.filter==='category'?cat:sev;b.classList.toggle('active',f.value===b.dataset.value);
    });
  }
  [q,cat,sev].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
  [].slice.call(document.querySelectorAll('[data-filter]')).forEach(function(el){
    el.addEventListener('click',function(){
      var f=el.dataset.filter==='category'?cat:el.dataset.filter==='severity'?sev:null;
      if(f){f.value=f.value===el.dataset.value?'':el.dataset.value;}
      else if(el.dataset.filter==='model'){q.value=el.dataset.value;cat.value='';sev.value='';}
      apply();document.getElementById('table').scrollIntoView({behavior:'smooth'});
    });
  });
  var body=document.querySelector('#models tbody');
  [].slice.call(document.querySelectorAll('#models th[data-sort]')).forEach(function(th,i){
    th.addEventListener('click',function(){
      var desc=!th.classList.contains('sorted-desc'),col=th.cellIndex,numeric=th.dataset.sort==='number';
      [].slice.call(th.parentNode.children).forEach(function(o){o.classList.remove('sorted-asc','sorted-desc');});
      th.classList.add(desc?'sorted-desc':'sorted-asc');
      rows.sort(function(a,b){
        var x=a.cells[col].dataset.key,y=b.cells[col].dataset.key;
        var c=numeric?(parseFloat(x)-parseFloat(y)):x.localeCompare(y);return desc?-c:c;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  var hash=decodeURIComponent(location.hash.replace(/^#q=/,''));
  if(location.hash.indexOf('#q=')===0){q.value=hash;}
  apply();
})();
"""


def _chip(text: str) -> str:
    return f'<span class="chip {_css(text)}">{e(text)}</span>' if text else ""


def _css(name: str) -> str:
    return "c-" + "".join(ch if ch.isalnum() else "-" for ch in name.lower())


def _chip_styles() -> str:
    """One class per category and severity: the CSP allows no style attributes."""
    colours = {**CATEGORY_COLOURS, **SEVERITY_COLOURS}
    return "".join(f".chip.{_css(name)}{{background:{colour}}}" for name, colour in colours.items())


def _use_line(use: Use) -> str:
    owners = " ".join(use.owners) or "no owner"
    where = f"{use.file}:{use.line}" if use.line else use.file
    return f"<li><b>{e(use.repository)}</b> <code>{e(where)}</code> <span class=\"sub\">{e(use.call)} · {e(owners)}</span></li>"


def _row(row: Row) -> str:
    item = row.item
    repositories = row.repositories
    search = " ".join(
        [item.id, item.kind, item.source, item.provider or "", license_of(item), row.category, row.severity, *repositories, *row.owners]
    ).lower()
    kind = item.kind + ("" if item.source == "huggingface" else f" · {where_from(item)}")
    if len(row.versions) > 1:
        listed = "".join(f"<li><code>{e(v)}</code></li>" for v in row.versions)
        versions = f"<details><summary>{len(row.versions)} versions</summary><ul>{listed}</ul></details>"
    else:
        versions = "".join(f'<code title="{e(v)}">{e(v[:12])}</code>' for v in row.versions) or "—"
    owners = ", ".join(row.owners[:4])
    if len(row.owners) > 4:
        rest = "".join(f"<li>{e(o)}</li>" for o in row.owners[4:])
        owners = f"{e(owners)}<details><summary>and {len(row.owners) - 4} more</summary><ul>{rest}</ul></details>"
    else:
        owners = e(owners) or "—"
    uses = "".join(_use_line(u) for u in row.uses)
    repo_word = "repository" if len(repositories) == 1 else "repositories"
    category = row.category
    severity = row.severity
    return (
        f'<tr data-search="{e(search)}" data-category="{e(category)}" data-severity="{e(severity)}">'
        f'<td data-key="{e(item.id.lower())}"><div class="model">{e(item.id)}</div><div class="sub">{e(kind)}</div></td>'
        f'<td data-key="{e(license_of(item))}">{e(license_of(item)) if item.source == "huggingface" else "—"}'
        f'<div>{_chip(category)}</div></td>'
        f'<td data-key="{_RANK.get(severity, 9)}">{_chip(severity)}'
        + (f'<div class="sub">sunset {e(row.deprecation.sunset)}</div>' if row.deprecation else "")
        + "</td>"
        f'<td data-key="{len(repositories):06d}"><details><summary>{len(repositories)} {repo_word}</summary><ul>{uses}</ul></details></td>'
        f'<td class="num" data-key="{len(row.uses)}">{len(row.uses)}</td>'
        f'<td data-key="{e(" ".join(row.owners))}">{owners}</td>'
        f'<td data-key="{len(row.versions)}">{versions}</td>'
        "</tr>"
    )


def _days(today: str, sunset: str) -> int | None:
    try:
        return (_dt.date.fromisoformat(sunset) - _dt.date.fromisoformat(today)).days
    except ValueError:
        return None


def _sunsets(rows: list[Row], today: str) -> tuple[str, int, int]:
    """The deprecations table, and how many models are retired and how many retire soon."""
    deprecated = sorted((r for r in rows if r.deprecation), key=lambda r: (r.deprecation.sunset if r.deprecation else "", r.item.id))
    if not deprecated:
        return (
            '<p class="empty">No model in use is deprecated. List the models being retired, with their sunset dates and '
            "replacements, under <code>deprecations:</code> in the configuration given with <code>--config</code>.</p>",
            0,
            0,
        )
    lines, retired, soon = [], 0, 0
    for row in deprecated:
        assert row.deprecation is not None
        days = _days(today, row.deprecation.sunset)
        if row.deprecation.severity == "deny":
            retired += 1
            status, when = "retired", (f"{-days} days ago" if days is not None else "")
        else:
            soon += 1 if days is not None and days <= SOON_DAYS else 0
            status, when = ("soon" if days is not None and days <= SOON_DAYS else "later"), (f"in {days} days" if days is not None else "")
        colour = {"retired": "deny", "soon": "warn", "later": "info"}[status]
        lines.append(
            f'<tr><td><span class="model">{e(row.item.id)}</span></td><td>{e(row.deprecation.sunset)}</td><td>{e(when)}</td>'
            f'<td><span class="chip {_css(colour)}">{e(status)}</span></td><td>{e(row.deprecation.replacement or "—")}</td>'
            f'<td class="num">{len(row.repositories)}</td><td>{e(", ".join(row.repositories))}</td></tr>'
        )
    table = (
        '<table class="sunset"><thead><tr><th>Model</th><th>Sunset</th><th>When</th><th>Status</th><th>Replacement</th>'
        f'<th>Repos</th><th>Used in</th></tr></thead><tbody>{"".join(lines)}</tbody></table>'
    )
    return table, retired, soon


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_inventory_html(view: OrgView) -> str:
    inventory = view.inventory
    rows = rows_of(view)
    hub = [r for r in rows if r.item.source == "huggingface"]
    uses = sum(len(r.uses) for r in rows)
    using = {u.repository for r in rows for u in r.uses}
    owners = {o for r in rows for o in r.owners}
    categories = Counter(r.category for r in hub)
    severities = Counter(r.severity for r in hub)
    severity_uses: Counter[str] = Counter()
    severity_repositories: dict[str, set[str]] = {}
    for r in hub:
        severity_uses[r.severity] += len(r.uses)
        severity_repositories.setdefault(r.severity, set()).update(r.repositories)
    reach = "".join(
        f'<tr><td>{_chip(s)}</td><td class="num">{severities[s]}</td><td class="num">{severity_uses[s]}</td>'
        f'<td class="num">{len(severity_repositories.get(s, ()))}</td></tr>'
        for s in SEVERITIES
        if severities.get(s)
    )
    sunsets, retired, soon = _sunsets(rows, view.today)
    category_chart = _donut([(c, categories.get(c, 0), CATEGORY_COLOURS[c]) for c in CATEGORIES], "Hub models", "category")
    severity_chart = _bars(
        [(s, severities.get(s, 0), SEVERITY_COLOURS[s], f" models, used in {severity_uses.get(s, 0)} places") for s in SEVERITIES],
        "severity",
        "Models by what the license policy says",
    )
    top = sorted(rows, key=lambda r: (-len(r.repositories), -len(r.uses), r.item.id.lower()))[:TOP_MODELS]
    top_chart = _bars(
        [(r.item.id, len(r.repositories), "#3949ab", " repositories") for r in top], "model", "Models used in the most repositories", names_above=True
    )
    tiles = [
        ("", len(inventory.repositories), f"repositories · {len(using)} use models"),
        ("", sum(1 for r in rows if r.item.kind == "model"), "models"),
        ("", sum(1 for r in rows if r.item.kind == "dataset"), "datasets"),
        ("", uses, "places in the code"),
        ("", len(owners), "owners"),
        ("alert" if severities.get("deny") else "", severities.get("deny", 0), "models the policy denies"),
        ("alert" if retired else ("soon" if soon else ""), retired + soon, f"past or within {SOON_DAYS} days of sunset"),
    ]
    tiles_html = "".join(f'<div class="tile {cls}"><b>{n}</b><span>{e(label)}</span></div>' for cls, n, label in tiles)
    options = lambda values: "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)  # noqa: E731
    warnings = "".join(f"<li>{e(w)}</li>" for w in inventory.warnings)
    style = STYLE + _chip_styles()
    csp = f"default-src 'none'; img-src data:; style-src {_csp_hash(style)}; script-src {_csp_hash(SCRIPT)}; base-uri 'none'; form-action 'none'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="aiospo-ci {e(__version__)}">
<title>AI inventory: {e(inventory.root_name)}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>AI inventory: {e(inventory.root_name)}</h1>
<p>{len(inventory.repositories)} repositories · {e(view.policy_note)} · as of {e(view.today)} · aiospo-ci {e(__version__)}</p>
</header>
<main>
<section class="tiles">{tiles_html}</section>
<section class="grid">
<div class="card" id="categories"><h2>License categories<small>Hub models and datasets</small></h2>{category_chart}</div>
<div class="card" id="severities"><h2>What the license policy says<small>models</small></h2>{severity_chart}
<table class="reach"><thead><tr><th>Policy</th><th>Models</th><th>Uses</th><th>Repositories</th></tr></thead><tbody>{reach}</tbody></table></div>
<div class="card" id="top"><h2>Most widely used<small>repositories per model</small></h2>{top_chart}</div>
</section>
<section class="card" id="sunsets"><h2>Deprecations and sunsets<small>nearest first</small></h2>{sunsets}</section>
<section class="card" id="table">
<h2>Models<small>click a chart to filter · click a heading to sort</small></h2>
<div class="toolbar">
<input id="q" type="search" placeholder="Search models, repositories, owners, licenses…" aria-label="Search" autocomplete="off">
<select id="category" aria-label="License category"><option value="">Any category</option>{options(CATEGORIES)}</select>
<select id="severity" aria-label="Policy"><option value="">Any policy</option>{options(SEVERITIES)}</select>
<span class="count" id="count">{len(rows)} models</span>
</div>
<table id="models">
<thead><tr><th data-sort="text">Model</th><th data-sort="text">License</th><th data-sort="number">Policy</th>
<th data-sort="number">Repositories</th><th data-sort="number">Uses</th><th data-sort="text">Owners</th><th data-sort="number">Versions</th></tr></thead>
<tbody>{"".join(_row(r) for r in rows)}</tbody>
</table>
</section>
<footer>
{"<p>Warnings from the repositories' inventories:</p><ul>" + warnings + "</ul>" if warnings else ""}
<p>Made by <code>aiospo-ci inventory merge --format html</code> from {len(inventory.repositories)} repositories' CycloneDX BOMs.
License categories and policy come from the Rego policies ({e(view.policy_note)}); rows are models, with every version in use.</p>
</footer>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
