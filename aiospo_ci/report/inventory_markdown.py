"""The inventory as a Markdown page for people: one table of models (what, license, who
supplies it, who owns the code using it) and, per model, the places that use it."""

from __future__ import annotations

from aiospo_ci.inventory import Inventory, Item


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ") or "-"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def license_of(item: Item) -> str:
    facts = item.facts
    if facts is None:
        return "n/a" if item.source != "huggingface" else "unknown"
    if facts.status != "ok":
        return f"unknown ({facts.status})"
    if facts.license == "other" and facts.license_name:
        return f"other: {facts.license_name}"
    return facts.license or "none declared"


def where_from(item: Item) -> str:
    if item.source == "huggingface":
        return f"Hugging Face ({item.org})" if item.org else "Hugging Face"
    if item.source == "api":
        return f"API ({item.provider})" if item.provider else "API"
    return {"file": "committed file", "local": "local path", "unresolved": "unresolved expression"}.get(item.source, item.source)


def render_inventory_markdown(inventory: Inventory) -> str:
    models = [i for i in inventory.items if i.kind == "model"]
    datasets = [i for i in inventory.items if i.kind == "dataset"]
    uses = sum(len(i.uses) for i in inventory.items)
    lines = [
        f"# AI inventory: {inventory.root_name}",
        "",
        f"{_count(len(models), 'model')} and {_count(len(datasets), 'dataset')} in {_count(uses, 'place')} in the code"
        + (f" (owners from `{inventory.codeowners}`)." if inventory.codeowners else " (no CODEOWNERS file)."),
        "",
        "| kind | model | version | license | from | task | owners | uses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in inventory.items:
        task = item.facts.pipeline_tag if item.facts is not None else None
        version = item.version[:12] if item.version else None
        lines.append(
            f"| {item.kind} | `{_cell(item.id)}` | {_cell(version)} | {_cell(license_of(item))} | {_cell(where_from(item))} "
            f"| {_cell(task)} | {_cell(' '.join(item.owners))} | {len(item.uses)} |"
        )
    for item in inventory.items:
        lines += ["", f"## `{item.id}`" + (f" @ `{item.version}`" if item.version else ""), ""]
        facts = item.facts
        if facts is not None and facts.status == "ok":
            if facts.base_models:
                lines.append("Base models: " + ", ".join(f"`{b}`" for b in sorted(facts.base_models)) + ".")
            if facts.datasets:
                lines.append("Trained on: " + ", ".join(f"`{d}`" for d in sorted(facts.datasets)) + ".")
            if facts.base_models or facts.datasets:
                lines.append("")
        lines += ["| where | call | pin | owners |", "|---|---|---|---|"]
        for use in item.uses:
            pin = use.pin + (f" ({use.revision})" if use.revision else "")
            flags = f" ⚑ {', '.join(use.flags)}" if use.flags else ""
            lines.append(f"| `{use.file}:{use.line}` | {_cell(use.call)}{flags} | {_cell(pin)} | {_cell(' '.join(use.owners))} |")
    if inventory.warnings:
        lines += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in inventory.warnings]
    return "\n".join(lines) + "\n"
