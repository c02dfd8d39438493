"""Check facts read back from disk (the Hub cache, aiospo.lock) against the facts schema.

Both files can be edited by hand, and the lockfile by a pull request's author: a status the
policies do not know, a license given as a list or a boolean given as text would each slip
past every rule (the rules match on the values they know) and pass. The schema is the one the
policy input is described with (`aiospo_ci/schemas/input.schema.json#/$defs/facts`), so what
is accepted here is exactly what the policies are written for.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any

from aiospo_ci.config import load_schema


def _where(path: Iterable[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


@cache
def _validator(fields: tuple[str, ...] | None, required: tuple[str, ...]) -> Any:
    """A validator for facts (fields None: every HubFacts field) or for a lock entry (only
    `fields`, each as the facts schema has it, nothing else)."""
    import jsonschema

    schema = copy.deepcopy(load_schema("input.schema.json"))
    facts = schema["$defs"]["facts"]
    for name in ("lineage", "dataset_facts"):  # each item becomes a dataclass: no other keys
        facts["properties"][name]["items"]["additionalProperties"] = False
    if fields is not None:
        known = facts["properties"]
        facts["properties"] = {name: known[name] for name in fields}
        facts["additionalProperties"] = False
    facts["required"] = list(required)
    return jsonschema.Draft202012Validator({"$defs": schema["$defs"], **facts})


def _problem(validator: Any, data: Any) -> str | None:
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return None
    err = errors[0]
    where = _where(err.absolute_path)
    return f"{where}: {err.message}" if where else err.message


def facts_problem(data: Any, statuses: Collection[str] | None = None) -> str | None:
    """What is wrong with a HubFacts document (None: nothing). `statuses`: those allowed here."""
    problem = _problem(_validator(None, ("id", "kind", "status")), data)
    if problem is None and statuses is not None and data["status"] not in statuses:
        problem = f"status: {data['status']!r} is not one of {', '.join(sorted(statuses))}"
    return problem


def entry_problem(entry: Any, fields: tuple[str, ...], statuses: Collection[str]) -> str | None:
    """What is wrong with one aiospo.lock entry: only `fields` plus kind, id and revision, each
    of the facts schema's type, and a status among `statuses`."""
    keys = ("kind", "id", "revision", *fields)
    problem = _problem(_validator(keys, ("kind", "id", "revision", "status")), entry)
    if problem is None and entry["status"] not in statuses:
        problem = f"status: {entry['status']!r} is not one of {', '.join(sorted(statuses))}"
    return problem
