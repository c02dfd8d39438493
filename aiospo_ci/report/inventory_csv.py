"""The inventory as CSV for spreadsheets: one row per use (a model used in three places is
three rows), so a filter on `owners` or `file` answers "what does this team use"."""

from __future__ import annotations

import csv
import io

from aiospo_ci.inventory import Inventory
from aiospo_ci.report.inventory_markdown import license_of

COLUMNS = (
    "kind", "id", "source", "provider", "version", "license", "supplier", "task", "base_models", "datasets",
    "file", "line", "call", "revision", "pin", "flags", "owners", "hub_status", "sha256",
)


# A cell starting with one of these is a formula to a spreadsheet; ids come from the scanned
# code (anyone's pull request), so they are quoted (OWASP's CSV-injection advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_inventory_csv(inventory: Inventory) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in inventory.items:
        facts = item.facts if item.facts is not None and item.facts.status == "ok" else None
        hashes = dict(item.hashes)
        for use in item.uses:
            row = [
                _safe(v)
                for v in (
                    item.kind,
                    item.id,
                    item.source,
                    item.provider or "",
                    item.version or "",
                    license_of(item),
                    item.org or "",
                    (facts.pipeline_tag or "") if facts else "",
                    " ".join(sorted(facts.base_models)) if facts else "",
                    " ".join(sorted(facts.datasets)) if facts else "",
                    use.file,
                    use.line,
                    use.call,
                    use.revision or "",
                    use.pin,
                    " ".join(use.flags),
                    None,  # owners, below: '@team' is how owners are written, not a formula
                    facts.status if facts is not None else "",
                    hashes.get("SHA-256", ""),
                )
            ]
            row[COLUMNS.index("owners")] = " ".join(o for o in use.owners if not o.startswith(_FORMULA_START[:3]))
            writer.writerow(row)
    return out.getvalue()
