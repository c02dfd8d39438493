"""The AI bill of materials: every model and dataset the code uses, what the Hub says about
it, and each place that uses it with that place's CODEOWNERS owners.

`build_inventory` is a pure function of the scan, the facts and the CODEOWNERS rules, so the
renderers (report/cyclonedx.py, report/inventory_markdown.py, report/inventory_csv.py) can be
tested on hand-made data; `gather` runs the scan and hub stages to get them. No policy runs:
an inventory states what is used, the check judges it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# The CLI imports this module to register `inventory` on every run, the pre-commit hook's
# included, so everything else is imported where it is used.
if TYPE_CHECKING:
    from aiospo_ci.codeowners import CodeOwners
    from aiospo_ci.model import HubFacts, ModelReference

HUB_URL = "https://huggingface.co"
# Weight files bigger than this are listed without a hash: reading many gigabytes to build a
# report is rarely what someone running `inventory` expects.
MAX_HASH_BYTES = 4 * 1024**3


@dataclass(frozen=True)
class Use:
    """One place in the code that uses an inventory item."""

    file: str
    line: int
    call: str
    revision: str | None
    pin: str
    flags: tuple[str, ...]
    owners: tuple[str, ...]
    column: int | None = None
    cell: int | None = None
    repository: str | None = None  # set in an organisation's inventory (inventory merge)

    def sort_key(self) -> tuple:
        return (self.repository or "", self.file, self.line, self.column or 0, self.call, self.revision or "")


@dataclass(frozen=True)
class Item:
    """One model or dataset at one version, with every use of it."""

    kind: str  # model | dataset
    source: str  # huggingface | local | file | api | unresolved
    id: str  # canonical Hub id when the Hub gave one, else the id as written
    version: str | None  # the commit the Hub resolved, else the revision as written
    facts: HubFacts | None
    provider: str | None
    uses: tuple[Use, ...]
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, hex) for committed files
    # In an organisation's inventory, the repository a local path, committed file or unresolved
    # expression belongs to: those name nothing outside their repository, so they are not merged.
    repository: str | None = None

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(sorted({o for u in self.uses for o in u.owners}))

    @property
    def org(self) -> str | None:
        if self.source == "huggingface" and "/" in self.id:
            return self.id.split("/", 1)[0]
        return None

    @property
    def name(self) -> str:
        if self.source == "huggingface" and "/" in self.id:
            return self.id.split("/", 1)[1]
        return self.id

    def sort_key(self) -> tuple:
        return (self.kind, self.source, self.id.lower(), self.version or "", self.repository or "")


@dataclass(frozen=True)
class Inventory:
    root_name: str
    items: tuple[Item, ...]
    today: str | None = None  # set only when the caller fixed the date (--today)
    codeowners: str | None = None  # which CODEOWNERS file gave the owners
    warnings: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()  # an organisation's inventory: every repository merged


def _version(ref: ModelReference, facts: HubFacts | None) -> str | None:
    if facts is not None and facts.status == "ok":
        return facts.resolved_commit or facts.sha or ref.revision
    return ref.revision


def file_hashes(root: Path, relpath: str) -> tuple[tuple[str, str], ...]:
    """SHA-256 of a committed weight file, if it is a regular file inside the root."""
    import hashlib

    path = root / relpath
    try:
        resolved = path.resolve()
        resolved.relative_to(root.resolve())
        if not resolved.is_file() or resolved.stat().st_size > MAX_HASH_BYTES:
            return ()
        digest = hashlib.sha256()
        with resolved.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except (OSError, ValueError):
        return ()
    return (("SHA-256", digest.hexdigest()),)


def build_inventory(
    references: Sequence[ModelReference],
    facts: Sequence[HubFacts | None],
    codeowners: CodeOwners,
    root: Path,
    *,
    root_name: str | None = None,
    today: str | None = None,
    warnings: Sequence[str] = (),
) -> Inventory:
    groups: dict[tuple, dict] = {}
    for index, ref in enumerate(references):
        fact = facts[index] if index < len(facts) else None
        ident = ref.id
        if fact is not None and fact.status == "ok" and fact.canonical_id:
            ident = fact.canonical_id
        key = (ref.kind, ref.source, ident, _version(ref, fact), ref.provider)
        group = groups.setdefault(key, {"facts": fact, "uses": []})
        if group["facts"] is None and fact is not None:
            group["facts"] = fact
        group["uses"].append(
            Use(
                file=ref.file,
                line=ref.line,
                call=ref.call,
                revision=ref.revision,
                pin=ref.pin,
                flags=tuple(ref.flags),
                owners=codeowners.owners(ref.file),
                column=ref.column,
                cell=ref.cell,
            )
        )
    items = []
    for (kind, source, ident, version, provider), group in groups.items():
        hashes = file_hashes(root, ident) if source == "file" else ()
        uses = tuple(sorted(set(group["uses"]), key=Use.sort_key))
        items.append(Item(kind, source, ident, version, group["facts"], provider, uses, hashes))
    items.sort(key=Item.sort_key)
    return Inventory(
        root_name=root_name or root.resolve().name or "repository",
        items=tuple(items),
        today=today,
        codeowners=codeowners.source,
        warnings=tuple(sorted(set(warnings))),
    )


def gather(options, progress: Callable[[int, int], None] | None = None) -> Inventory:
    """Scan and enrich (no policy) the tree described by a pipeline RunOptions."""
    from aiospo_ci.codeowners import CodeOwners
    from aiospo_ci.pipeline import evaluation_date, hub_settings, load_run_config, run_enrich, run_scan

    config = load_run_config(options)
    today = evaluation_date(options.today)
    scan = run_scan(options, config)
    if progress is not None:
        options = dataclasses.replace(options, progress=progress)
    enrichment = run_enrich(options, hub_settings(options, config), scan, today)
    warnings = list(enrichment.warnings)
    warnings.extend(f"could not scan {e.file}: {e.reason}" for e in scan.errors)
    warnings.extend(f"could not read {u.file} in full: {u.reason}" for u in scan.unread)
    return build_inventory(
        scan.references,
        enrichment.facts,
        CodeOwners.load(options.root),
        options.root,
        today=options.today,
        warnings=warnings,
    )


# -- the `aiospo-ci inventory` command ---------------------------------------------------------

INVENTORY_EXAMPLES = """examples:
  aiospo-ci inventory                              CycloneDX 1.6 AI-BOM of the current repository
  aiospo-ci inventory --offline examples/demo      facts from aiospo.lock and the cache only
  aiospo-ci inventory --format markdown -o AI-INVENTORY.md
  aiospo-ci inventory --format csv -o models.csv   one row per place a model is used
  aiospo-ci inventory --repository acme/app -o acme-app.cdx.json
  aiospo-ci inventory merge boms/*.cdx.json --format html -o inventory.html
                                                   the organisation's inventory from every repository's BOM
"""

RENDERERS = {
    "cyclonedx": ("aiospo_ci.report.cyclonedx", "render_cyclonedx"),
    "markdown": ("aiospo_ci.report.inventory_markdown", "render_inventory_markdown"),
    "csv": ("aiospo_ci.report.inventory_csv", "render_inventory_csv"),
}


def render(inventory: Inventory, fmt: str) -> str:
    import importlib

    module, function = RENDERERS[fmt]
    return getattr(importlib.import_module(module), function)(inventory)


def register(sub) -> None:
    import argparse

    from aiospo_ci import cli

    p = sub.add_parser(
        "inventory",
        help="write the AI bill of materials (CycloneDX 1.6, markdown or CSV)",
        description="List every model and dataset the code uses, with what the Hub says about it and each place that "
        "uses it with its CODEOWNERS owners. No policy is evaluated.",
        epilog=INVENTORY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="?", metavar="PATH", help="the repository to inventory (default: .)")
    p.add_argument("--repository", metavar="NAME", help="the repository's name in the BOM, e.g. acme/app (default: the folder's name)")
    cli.output_options(p, tuple(RENDERERS), "cyclonedx")
    cli.run_options(p)
    cli._hub_options(p)
    p.set_defaults(handler=cmd_inventory)


def cmd_inventory(args) -> int:
    from aiospo_ci import cli
    from aiospo_ci.console import Console

    console = Console(quiet=args.quiet, verbose=args.verbose)
    args.root = None
    args.paths = [args.paths] if args.paths else []
    if args.paths and not Path(args.paths[0]).is_dir():
        from aiospo_ci.errors import AiospoError

        raise AiospoError(f"{args.paths[0]}: not a directory; give the repository folder to inventory.")
    options = cli._run_options(args)
    with console.progress("Asking the Hub") as progress:
        inventory = gather(options, progress=progress)
    if args.repository:
        inventory = dataclasses.replace(inventory, root_name=args.repository)
    for warning in inventory.warnings:
        console.info(f"warning: {warning}")
    console.detail(f"{len(inventory.items)} inventory items, owners from {inventory.codeowners or 'no CODEOWNERS file'}")
    cli._write(render(inventory, args.format), args.output)
    if args.output:
        console.info(f"wrote {args.output}")
    return cli.EXIT_PASS
