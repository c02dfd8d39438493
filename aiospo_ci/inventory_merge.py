"""The organisation's inventory: `aiospo-ci inventory merge BOM...` reads the CycloneDX files
`aiospo-ci inventory` wrote in each repository and combines them into one.

Models and datasets are deduplicated by purl (or bom-ref where there is none), every use is
kept with its repository, path and owners; local paths, committed files and unresolved
expressions stay apart per repository because they name nothing outside it. The result is an
`Inventory` like one repository's, so the CycloneDX renderer writes it as the organisation's
BOM (which `merge` reads again), and report/inventory_html.py renders it as a page.

The page's license categories, what the organisation's policy does with each license, and the
deprecations are asked of the Rego policies (`judge`), never decided here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiospo_ci.errors import AiospoError
from aiospo_ci.inventory import Inventory, Item, Use
from aiospo_ci.model import Ancestor, DatasetFacts, HubFacts

PREFIX = "aiospo:"
REGENERATE = "write it again with `aiospo-ci inventory --repository OWNER/NAME -o FILE`"
#: Sources whose ids name something only inside their repository.
REPOSITORY_SCOPED = ("local", "file", "unresolved")
_KINDS = {"machine-learning-model": "model", "data": "dataset"}
_CONTEXT = re.compile(
    r"^(?:repository: (?P<repository>[^;\n]*); )?owners: (?P<owners>.*?); pin: (?P<pin>commit|mutable|none)"
    r"(?:; flags: (?P<flags>[a-z0-9_ ]+))?(?:; revision: (?P<revision>.*))?$",
    re.DOTALL,
)
_SUPPORTED_SPECS = ("1.4", "1.5", "1.6")


def _plain(text: object, limit: int = 160) -> str:
    """A value from a file, fit for a one-sentence error: no control characters, cut short."""
    value = re.sub(r"[\x00-\x1f\x7f]", "?", str(text))
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _refuse(path: Path, why: str, fix: str = REGENERATE) -> AiospoError:
    return AiospoError(f"{path}: {why}; {fix}.")


@functools.cache
def _validator(spec: str):
    """One validator per CycloneDX version: each compiles its schema once, on first use."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    return JsonStrictValidator({"1.4": SchemaVersion.V1_4, "1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}[spec])


def _schema_error(path: Path, text: str, spec: str) -> AiospoError | None:
    error = _validator(spec).validate_str(text)
    if error is None:
        return None
    detail = getattr(error, "data", None)
    where = "/".join(str(p) for p in getattr(detail, "absolute_path", ()) or ())
    message = getattr(detail, "message", None) or str(error)
    return _refuse(path, f"not a valid CycloneDX {spec} BOM ({'at ' + where + ': ' if where else ''}{_plain(message)})")


def _properties(node: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in node.get("properties") or ():
        name, value = prop.get("name"), prop.get("value")
        if isinstance(name, str) and name.startswith(PREFIX) and isinstance(value, str):
            found.setdefault(name[len(PREFIX) :], []).append(value)
    return found


def _first(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name)
    return values[0] if values else None


def _license(component: dict[str, Any]) -> tuple[str | None, str | None]:
    """(id or name, url) of the first declared license."""
    for entry in component.get("licenses") or ():
        license_ = entry.get("license") or {}
        return license_.get("id") or license_.get("name"), license_.get("url")
    return None, None


def _lineage(component: dict[str, Any]) -> tuple[Ancestor, ...]:
    ancestors = []
    for node in (component.get("pedigree") or {}).get("ancestors") or ():
        props = _properties(node)
        license_, _ = _license(node)
        name = node.get("name") or ""
        depth = _first(props, "lineage-depth") or "1"
        ancestors.append(
            Ancestor(
                id=f"{node['group']}/{name}" if node.get("group") else name,
                depth=int(depth) if depth.isdigit() else 1,
                license=license_,
                status=_first(props, "hub:status") or "ok",  # type: ignore[arg-type]
            )
        )
    return tuple(ancestors)


def _facts(component: dict[str, Any], ident: str, kind: str, props: dict[str, list[str]]) -> HubFacts | None:
    status = _first(props, "hub:status")
    if status is None:
        return None
    declared, link = _license(component)
    parameters = (component.get("modelCard") or {}).get("modelParameters") or {}
    datasets = [d for d in parameters.get("datasets") or () if isinstance(d, dict) and isinstance(d.get("name"), str)]
    described = [(d["name"], str(d.get("description") or "")) for d in datasets]
    return HubFacts(
        id=ident,
        kind=kind,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        origin=_first(props, "hub:origin") or "none",  # type: ignore[arg-type]
        license=_first(props, "hub:license") or declared,
        license_name=_first(props, "hub:license-name"),
        license_link=link,
        gated=_first(props, "hub:gated"),
        library=_first(props, "hub:library"),
        security_status=_first(props, "hub:security-status"),
        revision_kind=_first(props, "hub:revision-kind"),
        pipeline_tag=parameters.get("task") if isinstance(parameters.get("task"), str) else None,
        datasets=tuple(name for name, _ in described),
        dataset_facts=tuple(DatasetFacts(id=n, license=d[len("license: ") :]) for n, d in described if d.startswith("license: ")),
        lineage=_lineage(component),
    )


def _uses(path: Path, component: dict[str, Any], repository: str | None) -> tuple[Use, ...]:
    uses = []
    for occurrence in (component.get("evidence") or {}).get("occurrences") or ():
        context = _CONTEXT.match(occurrence.get("additionalContext") or "owners: (none); pin: none")
        if context is None:
            raise _refuse(path, f"the use at {_plain(occurrence.get('location'))} has an additionalContext aiospo-ci did not write")
        owners = context["owners"]
        uses.append(
            Use(
                file=occurrence.get("location") or "",
                line=int(occurrence.get("line") or 0),
                call=occurrence.get("symbol") or "",
                revision=context["revision"],
                pin=context["pin"],
                flags=tuple((context["flags"] or "").split()),
                owners=() if owners == "(none)" else tuple(owners.split()),
                column=occurrence.get("offset"),
                repository=context["repository"] or repository,
            )
        )
    return tuple(uses)


def _item(path: Path, component: dict[str, Any], repository: str | None) -> Item | None:
    kind = _KINDS.get(component.get("type", ""))
    if kind is None:
        return None  # libraries, applications: not what an AI inventory lists
    props = _properties(component)
    purl = component.get("purl") or ""
    source = _first(props, "source") or ("huggingface" if purl.startswith("pkg:huggingface/") else "other")
    name = component.get("name") or ""
    ident = f"{component['group']}/{name}" if source == "huggingface" and component.get("group") else name
    uses = _uses(path, component, repository)
    scoped = None
    if source in REPOSITORY_SCOPED:  # in an organisation's BOM, all its uses are in its repository
        owning = {u.repository for u in uses}
        scoped = repository or (owning.pop() if len(owning) == 1 else None)
    return Item(
        kind=kind,
        source=source,
        id=ident,
        version=component.get("version"),
        facts=_facts(component, ident, kind, props),
        provider=_first(props, "provider"),
        uses=uses,
        hashes=tuple(sorted((h["alg"], h["content"]) for h in component.get("hashes") or () if "alg" in h and "content" in h)),
        repository=scoped,
    )


def read_bom(path: Path) -> Inventory:
    """One CycloneDX JSON BOM as an Inventory; AiospoError with one sentence when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _refuse(path, f"cannot read it ({exc.strerror or exc})", "give the path of a BOM `aiospo-ci inventory` wrote") from None
    except UnicodeDecodeError:
        raise _refuse(path, "not UTF-8 text", "give the CycloneDX JSON `aiospo-ci inventory` writes") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _refuse(path, f"not JSON ({_plain(exc)})", "give the CycloneDX JSON `aiospo-ci inventory` writes, not the markdown or CSV") from None
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise _refuse(path, "not a CycloneDX BOM (no \"bomFormat\": \"CycloneDX\")", REGENERATE)
    spec = document.get("specVersion")
    if spec not in _SUPPORTED_SPECS:
        raise _refuse(path, f"CycloneDX {_plain(spec)} is not supported (only {', '.join(_SUPPORTED_SPECS)})", REGENERATE)
    error = _schema_error(path, text, spec)
    if error is not None:
        raise error
    metadata = document.get("metadata") or {}
    props = _properties(metadata)
    merged = tuple(props.get("repository") or ())  # an organisation's BOM lists its repositories
    name = (metadata.get("component") or {}).get("name")
    if not merged and not (isinstance(name, str) and name.strip()):
        raise _refuse(path, "names no repository (metadata.component.name)", REGENERATE)
    repositories = merged or (str(name),)
    for repository in repositories:
        if not repository.strip() or re.search(r"[;\x00-\x1f\x7f]", repository):
            raise _refuse(path, f"names the repository {_plain(repository)!r}, which has a semicolon or control character", REGENERATE)
    single = None if merged else repositories[0]
    items = [item for item in (_item(path, c, single) for c in document.get("components") or ()) if item is not None]
    return Inventory(
        root_name=str(name) if name else repositories[0],
        items=tuple(items),
        codeowners=_first(props, "codeowners"),
        warnings=tuple((f"{single}: {w}" if single else w) for w in props.get("warning") or ()),
        repositories=tuple(sorted(set(repositories))),
    )


def _key(item: Item) -> str:
    from aiospo_ci.report.cyclonedx import bom_ref_for

    return bom_ref_for(item)


def merge(boms: Sequence[tuple[Path, Inventory]], *, name: str = "organisation", today: str | None = None) -> Inventory:
    """One inventory of every repository. The same repository in two BOMs is refused (it would
    count twice); the order of the files does not matter."""
    owner: dict[str, Path] = {}
    for path, inventory in boms:
        for repository in inventory.repositories:
            if repository in owner:
                raise AiospoError(
                    f"{owner[repository]} and {path} both hold the repository {_plain(repository)!r}; "
                    "give each repository's BOM once, written with `aiospo-ci inventory --repository OWNER/NAME`."
                )
            owner[repository] = path
    groups: dict[str, dict[str, Any]] = {}
    for _, inventory in sorted(boms, key=lambda b: b[1].repositories):
        for item in inventory.items:
            group = groups.setdefault(_key(item), {"item": item, "uses": set(), "hashes": set()})
            kept: Item = group["item"]
            if (kept.facts is None or kept.facts.status != "ok") and item.facts is not None and item.facts.status == "ok":
                group["item"] = item  # the facts of the first repository the Hub answered for
            group["uses"].update(item.uses)
            group["hashes"].update(item.hashes)
    items = [
        dataclasses.replace(g["item"], uses=tuple(sorted(g["uses"], key=Use.sort_key)), hashes=tuple(sorted(g["hashes"])))
        for g in groups.values()
    ]
    items.sort(key=Item.sort_key)
    return Inventory(
        root_name=name,
        items=tuple(items),
        today=today,
        warnings=tuple(sorted({w for _, inventory in boms for w in inventory.warnings})),
        repositories=tuple(sorted(owner)),
    )


# -- what the organisation's policy says about each item -------------------------------------------


@dataclass(frozen=True)
class Deprecation:
    sunset: str
    replacement: str | None
    reason: str | None
    severity: str  # warn (sunset ahead) | deny (retired), from the deprecation rules


@dataclass(frozen=True)
class Judgement:
    """The policies' view of one item: its license category and the most severe license finding
    (`allow` when the license rules had nothing to say, `not judged` without license facts)."""

    category: str | None
    license_severity: str
    deprecation: Deprecation | None = None


@dataclass(frozen=True)
class OrgView:
    """An organisation's inventory with the policies' judgement of each item (keyed by bom-ref)."""

    inventory: Inventory
    judgements: dict[str, Judgement] = field(default_factory=dict)
    today: str = ""
    policy_note: str = ""  # which configuration judged it


_SEVERITY_RANK = {"deny": 0, "warn": 1, "info": 2}
#: One answer for the page, from rego/aiospo/org/inventory/inventory.rego: the license and deprecation rules'
#: findings (the rules a check runs), categories, and the deprecations naming each item.
VIEW_QUERY = "data.aiospo.org.inventory.view"


def _reference(item: Item) -> dict[str, Any]:
    """The item as an input reference, without its version: no license or deprecation rule
    reads one, and without it the versions of a model are one reference."""
    return {
        "id": item.id, "kind": item.kind, "source": item.source, "file": "", "line": 0, "column": None, "cell": None,
        "call": "", "revision": None, "pin": "none", "flags": [], "provider": item.provider,
        "detail": {}, "facts": item.facts.to_dict() if item.facts is not None else None, "locked": None,
    }


def judge(inventory: Inventory, *, config: dict[str, Any], policy_dirs: Sequence[Path] = (), today: str) -> dict[str, Judgement]:
    """Ask the policies (embedded engine) about every item of the inventory. Items that give the
    same reference are asked about once: the license and deprecation rules judge each reference
    on its own (none counts or joins references), so the answer is the same for each."""
    from aiospo_ci.policy import library
    from aiospo_ci.policy.embedded import embedded_engine

    distinct: dict[str, int] = {}
    of_item = []
    for item in inventory.items:
        reference = _reference(item)
        of_item.append(distinct.setdefault(json.dumps(reference, sort_keys=True), len(distinct)))
    references = [{**json.loads(key), "index": index} for key, index in distinct.items()]
    document = {"schema_version": 1, "today": today, "config": config, "references": references}
    engine = embedded_engine()
    try:
        engine.load(library.load_modules(list(policy_dirs)), library.load_data(list(policy_dirs)))
        answer = engine.query(VIEW_QUERY, document)
    finally:
        engine.close()
    license_severity: dict[int, str] = {}
    for ref, severity in answer["license"]:
        if ref is not None and _SEVERITY_RANK.get(severity, 9) < _SEVERITY_RANK.get(license_severity.get(ref, ""), 9):
            license_severity[ref] = severity
    deprecation_severity = {ref: severity for ref, severity in answer["deprecation"] if ref is not None}
    categories = {index: category for index, category in answer["categories"]}
    entries: dict[int, tuple[int, dict[str, Any]]] = {}
    for index, position, entry in answer["deprecations"]:
        if index not in entries or position < entries[index][0]:
            entries[index] = (position, entry)
    from aiospo_ci.report.cyclonedx import bom_ref_for

    judgements = {}
    for index, item in zip(of_item, inventory.items):
        deprecation = None
        if index in entries and index in deprecation_severity:
            entry = entries[index][1]
            deprecation = Deprecation(str(entry.get("sunset")), entry.get("replacement"), entry.get("reason"), deprecation_severity[index])
        judged = index in categories
        judgements[bom_ref_for(item)] = Judgement(
            category=categories.get(index),
            license_severity=license_severity.get(index, "allow" if judged else "not judged"),
            deprecation=deprecation,
        )
    return judgements


# -- the `aiospo-ci inventory merge` command ----------------------------------------------------

MERGE_EXAMPLES = """examples:
  aiospo-ci inventory merge boms/*.cdx.json -o organisation.cdx.json
  aiospo-ci inventory merge boms/*.cdx.json --format html -o inventory.html --config org.aiospo.yaml

Each repository writes its BOM with `aiospo-ci inventory --repository OWNER/NAME -o FILE`.
"""
FORMATS = ("cyclonedx", "html")


def register(sub) -> None:
    import argparse

    from aiospo_ci import cli

    p = sub.add_parser(  # reached as `aiospo-ci inventory merge` (cli.main routes it here)
        "inventory-merge",
        prog="aiospo-ci inventory merge",
        description="Combine per-repository CycloneDX BOMs into the organisation's inventory: models deduplicated by purl, "
        "every use kept with its repository, path and owners. --format html renders one self-contained page.",
        epilog=MERGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("boms", nargs="+", metavar="BOM", help="CycloneDX JSON files written by `aiospo-ci inventory` (or by this command)")
    cli.output_options(p, FORMATS, "cyclonedx")
    p.add_argument("--name", default="organisation", help="the organisation's name on the BOM and the page (default: organisation)")
    p.add_argument("--config", metavar="FILE", help="the organisation's .aiospo.yaml: license categories, intended use and deprecations for the page")
    p.add_argument("--policy", action="append", default=[], metavar="DIR", help="extra Rego policy folder for the page (repeatable)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date sunsets are counted from (default: today, UTC)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    p.add_argument("--verbose", "-v", action="store_true", help="say what was merged")
    p.add_argument("--debug", action="store_true", help="show a stack trace on unexpected errors")
    p.set_defaults(handler=cmd_merge)


def cmd_merge(args) -> int:
    from aiospo_ci import cli
    from aiospo_ci.console import Console
    from aiospo_ci.pipeline import evaluation_date

    console = Console(quiet=args.quiet, verbose=args.verbose)
    boms = [(Path(p), read_bom(Path(p))) for p in args.boms]
    inventory = merge(boms, name=args.name, today=args.today and evaluation_date(args.today))
    console.detail(f"{len(inventory.items)} items from {len(inventory.repositories)} repositories in {len(boms)} BOMs")
    if args.format == "html":
        from aiospo_ci.config import load_config
        from aiospo_ci.report.inventory_html import render_inventory_html

        config_path = Path(args.config) if args.config else None
        if config_path is not None and not config_path.is_file():
            raise AiospoError(f"--config {args.config}: no such file; give the organisation's .aiospo.yaml.")
        config = load_config(config_path) if config_path else {}
        today = evaluation_date(args.today)
        view = OrgView(
            inventory,
            judge(inventory, config=config, policy_dirs=[Path(p) for p in args.policy], today=today),
            today=today,
            policy_note=f"policy: {config_path.name}" if config_path else "policy: aiospo-ci's defaults",
        )
        text = render_inventory_html(view)
    else:
        from aiospo_ci.report.cyclonedx import render_cyclonedx

        text = render_cyclonedx(inventory)
    cli._write(text, args.output)
    if args.output:
        console.info(f"wrote {args.output}")
    return cli.EXIT_PASS
