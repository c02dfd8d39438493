"""The inventory as a CycloneDX 1.6 JSON AI bill of materials.

Each model is a `machine-learning-model` component (datasets are `data` components) with its
purl (`pkg:huggingface/org/name@sha`), license, supplier (the Hub organisation), hashes where
known (committed weight files), base models as `pedigree.ancestors`, and every place in the
code that uses it as `evidence.occurrences` plus `aiospo:*` properties carrying the CODEOWNERS
owners. cyclonedx-python-lib builds and serialises the BOM; it has no model-card type yet, so
the `modelCard` objects (task, training datasets) are added to the serialised JSON afterwards.

The output is deterministic: no timestamp unless --today fixes one, and the serialNumber is a
UUID derived from the content, so the same tree gives byte-identical output.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import uuid
from typing import Any

from aiospo_ci import __version__
from aiospo_ci.inventory import HUB_URL, Inventory, Item

PROPERTY_PREFIX = "aiospo:"
# The namespace for content-derived serial numbers (a fixed, arbitrary UUID).
SERIAL_NAMESPACE = uuid.UUID("5f0d3b1e-7a43-4c55-9d0b-2f2f7f0a6c11")


def purl_for(item: Item) -> str | None:
    """pkg:huggingface/org/name@sha for Hub models (the purl spec lowercases them)."""
    if item.source != "huggingface" or item.kind != "model":
        return None
    from packageurl import PackageURL

    return PackageURL(
        type="huggingface",
        namespace=item.org.lower() if item.org else None,
        name=item.name.lower(),
        version=item.version.lower() if item.version else None,
    ).to_string()


def bom_ref_for(item: Item) -> str:
    purl = purl_for(item)
    if purl:
        return purl
    ident = item.id
    if item.provider and not ident.startswith(item.provider + "/"):
        ident = f"{item.provider}/{ident}"
    scope = f"{item.repository}:" if item.repository else ""  # a local path means something only in its repository
    return f"{item.kind}:{item.source}:{scope}{ident}" + (f"@{item.version}" if item.version else "")


def _licenses(license_id: str | None, name: str | None = None, link: str | None = None):
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense
    from cyclonedx.spdx import fixup_id

    if not license_id:
        return []
    spdx = fixup_id(license_id)
    url = XsUri(link) if link and link.startswith(("http://", "https://")) else None
    if spdx:
        return [DisjunctiveLicense(id=spdx, url=url)]
    # Hub license ids outside SPDX ('llama3.1', 'openrail', 'other'): the name says what it is.
    label = name if (license_id == "other" and name) else license_id
    return [DisjunctiveLicense(name=label, url=url)]


def _prop(name: str, value: Any):
    from cyclonedx.model import Property

    return Property(name=PROPERTY_PREFIX + name, value=str(value))


def _use_text(use) -> str:
    owners = " ".join(use.owners) if use.owners else "(no owner)"
    where = (f"{use.repository} " if use.repository else "") + f"{use.file}:{use.line}"
    return f"{where} {use.call or '-'} owners={owners}"


def use_context(use) -> str:
    """An occurrence's additionalContext: `[repository: R; ]owners: O; pin: P[; flags: F][; revision: V]`.
    The revision, written in the scanned code, comes last so nothing in it can pass for a
    field; inventory_merge.py reads this back."""
    parts = [f"repository: {use.repository}"] if use.repository else []
    parts += ["owners: " + (" ".join(use.owners) if use.owners else "(none)"), f"pin: {use.pin}"]
    if use.flags:
        parts.append("flags: " + " ".join(use.flags))
    if use.revision:
        parts.append(f"revision: {use.revision}")
    return "; ".join(parts)


def _component(item: Item):
    from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, XsUri
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
    from cyclonedx.model.contact import OrganizationalEntity
    from packageurl import PackageURL

    facts = item.facts
    ok = facts is not None and facts.status == "ok"
    ref = bom_ref_for(item)
    purl = purl_for(item)
    properties = [_prop("source", item.source)]
    if item.provider:
        properties.append(_prop("provider", item.provider))
    if facts is not None:
        properties.append(_prop("hub:status", facts.status))
        properties.append(_prop("hub:origin", facts.origin))
        # license and license_name as the Hub gives them: the licenses field holds the SPDX
        # form, and policies categorise by the Hub's id (inventory merge reads them back).
        for name in ("gated", "library", "security_status", "revision_kind", "license", "license_name"):
            value = getattr(facts, name)
            if value is not None:
                properties.append(_prop("hub:" + name.replace("_", "-"), value))
    for owner in item.owners:
        properties.append(_prop("owner", owner))
    for use in item.uses:
        properties.append(_prop("use", _use_text(use)))
        properties.append(_prop("pin", use.pin))
        for flag in use.flags:
            properties.append(_prop("flag", flag))
    occurrences = [
        Occurrence(
            location=use.file,
            line=use.line,
            offset=use.column,
            symbol=use.call or None,
            additional_context=use_context(use),
        )
        for use in item.uses
    ]
    external = []
    supplier = None
    if item.source == "huggingface":
        hub_path = ("datasets/" if item.kind == "dataset" else "") + item.id
        external.append(ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(f"{HUB_URL}/{hub_path}")))
        if item.org:
            supplier = OrganizationalEntity(name=item.org, urls=[XsUri(f"{HUB_URL}/{item.org}")])
    ancestors = []
    if facts is not None and ok:
        lineage = list(facts.lineage) or [_bare_ancestor(b) for b in facts.base_models]
        for ancestor in sorted(lineage, key=lambda a: (a.depth, a.id)):
            org, _, name = ancestor.id.partition("/")
            ancestor_purl = PackageURL(type="huggingface", namespace=org.lower() if name else None, name=(name or org).lower())
            ancestors.append(
                Component(
                    type=ComponentType.MACHINE_LEARNING_MODEL,
                    name=name or org,
                    group=org if name else None,
                    bom_ref=f"{ref}#ancestor:{ancestor.id}",
                    purl=ancestor_purl,
                    licenses=_licenses(ancestor.license, ancestor.license_name),
                    properties=[_prop("lineage-depth", ancestor.depth), _prop("hub:status", ancestor.status)],
                )
            )
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL if item.kind == "model" else ComponentType.DATA,
        name=item.name,
        group=item.org,
        version=item.version,
        bom_ref=ref,
        purl=PackageURL.from_string(purl) if purl else None,
        supplier=supplier,
        licenses=_licenses(facts.license, facts.license_name, facts.license_link) if facts is not None and ok else [],
        hashes=[HashType(alg=HashAlgorithm(alg), content=value) for alg, value in item.hashes],
        external_references=external,
        properties=properties,
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
    )


def _bare_ancestor(base_id: str):
    from aiospo_ci.model import Ancestor

    return Ancestor(id=base_id, depth=1, status="unknown")


def _model_card(item: Item) -> dict[str, Any] | None:
    facts = item.facts
    if item.kind != "model" or facts is None or facts.status != "ok":
        return None
    parameters: dict[str, Any] = {}
    if facts.pipeline_tag:
        parameters["task"] = facts.pipeline_tag
    licenses = {d.id: d.license for d in facts.dataset_facts}
    datasets = []
    for dataset in sorted(set(facts.datasets)):
        entry: dict[str, Any] = {"type": "dataset", "name": dataset}
        if licenses.get(dataset):
            entry["description"] = f"license: {licenses[dataset]}"
        datasets.append(entry)
    if datasets:
        parameters["datasets"] = datasets
    if not parameters:
        return None
    return {"modelParameters": parameters}


def bom_document(inventory: Inventory) -> dict[str, Any]:
    """The BOM as a JSON-ready dict (before the serial number is derived)."""
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.dependency import Dependency
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6

    tool = Component(type=ComponentType.APPLICATION, name="aiospo-ci", version=__version__, bom_ref="tool:aiospo-ci")
    subject = Component(type=ComponentType.APPLICATION, name=inventory.root_name, bom_ref="repository")
    properties = []
    if inventory.codeowners:
        properties.append(_prop("codeowners", inventory.codeowners))
    for warning in inventory.warnings:
        properties.append(_prop("warning", warning))
    for repository in inventory.repositories:
        properties.append(_prop("repository", repository))
    metadata = BomMetaData(tools=ToolRepository(components=[tool]), component=subject, properties=properties)
    bom = Bom(metadata=metadata, components=[_component(item) for item in inventory.items])
    # The repository depends on every component. Built directly: Bom.register_dependency scans
    # the graph on each call, which is quadratic over an organisation's thousands of components.
    bom.dependencies.update([Dependency(ref=subject.bom_ref, dependencies=[Dependency(ref=c.bom_ref) for c in bom.components])])
    bom.dependencies.update(Dependency(ref=c.bom_ref) for c in bom.components)
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    cards = {bom_ref_for(item): _model_card(item) for item in inventory.items}
    for component in document.get("components", []):
        evidence = component.get("evidence") or {}
        if evidence.get("occurrences"):
            # The library orders them by its own key; people read them in file order.
            evidence["occurrences"].sort(key=lambda o: (o["location"], o.get("line", 0), o.get("offset", 0), o.get("symbol", "")))
        card = cards.get(component.get("bom-ref"))
        if card:
            component["modelCard"] = card
    document["metadata"].pop("timestamp", None)
    if inventory.today:
        day = _dt.date.fromisoformat(inventory.today)
        document["metadata"]["timestamp"] = f"{day.isoformat()}T00:00:00Z"
    document.pop("serialNumber", None)
    return document


def render_cyclonedx(inventory: Inventory) -> str:
    document = bom_document(inventory)
    body = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    serial = uuid.uuid5(SERIAL_NAMESPACE, hashlib.sha256(body.encode("utf-8")).hexdigest())
    document["serialNumber"] = serial.urn
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
