"""Follow base_model chains and declared datasets, level by level across all references.

Fetching a whole level at once lets the source run it concurrently and ask for each repo once,
however many references share an ancestor. Assembly then walks each chain breadth-first from
its own root, skipping repos already seen (cycles, diamonds) and stopping at the depth limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from aiospo_ci.hub.interface import FactsKey, FactsSource, key_order
from aiospo_ci.model import Ancestor, DatasetFacts, HubFacts


def _expands(facts: HubFacts) -> bool:
    # Lockfile facts carry the lineage recorded at lock time; offline there is nothing to ask.
    return facts.origin != "lockfile" and facts.status == "ok" and facts.kind == "model"


def with_lineage(source: FactsSource, keys: Iterable[FactsKey], depth: int) -> dict[FactsKey, HubFacts]:
    """Facts for `keys`, with `lineage` and `dataset_facts` filled in from `source`."""
    roots = sorted(set(keys), key=key_order)
    table: dict[FactsKey, HubFacts] = dict(source.facts(roots))

    def fetch(wanted: Iterable[FactsKey]) -> None:
        missing = sorted({k for k in wanted if k not in table}, key=key_order)
        if missing:
            table.update(source.facts(missing))

    expanding = [table[k] for k in roots if _expands(table[k])]
    first_level = {FactsKey("dataset", d) for f in expanding for d in f.datasets}
    seen_ids: set[str] = set()  # ancestors already fetched; bounds the walk on cycles
    frontier = sorted({b for f in expanding for b in f.base_models}) if depth > 0 else []
    level = 1
    while frontier:
        fetch(first_level | {FactsKey("model", b) for b in frontier})
        first_level = set()
        seen_ids.update(frontier)
        if level >= depth:
            break
        parents: set[str] = set()
        for b in frontier:
            f = table[FactsKey("model", b)]
            if _expands(f):
                parents.update(f.base_models)
        frontier = sorted(parents - seen_ids)
        level += 1
    fetch(first_level)
    return {k: assemble(table[k], table, depth) if _expands(table[k]) else table[k] for k in roots}


def assemble(root: HubFacts, table: Mapping[FactsKey, HubFacts], depth: int) -> HubFacts:
    lineage: list[Ancestor] = []
    seen = {root.id, root.canonical_id}
    level_ids = sorted(set(root.base_models) - seen) if depth > 0 else []
    d = 1
    while level_ids and d <= depth:
        nxt: set[str] = set()
        for base in level_ids:
            seen.add(base)
            f = table.get(FactsKey("model", base))
            if f is None:
                lineage.append(Ancestor(id=base, depth=d, status="unknown"))
                continue
            seen.add(f.canonical_id)
            lineage.append(Ancestor(id=base, depth=d, license=f.license, license_name=f.license_name, status=f.status))
            if f.status == "ok":
                nxt.update(f.base_models)
        level_ids = sorted(nxt - seen)
        d += 1
    datasets = []
    for name in root.datasets:
        f = table.get(FactsKey("dataset", name))
        datasets.append(DatasetFacts(id=name, license=f.license if f else None, status=f.status if f else "unknown"))
    return dataclasses.replace(root, lineage=tuple(lineage), dataset_facts=tuple(datasets))
