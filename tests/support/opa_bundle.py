"""Load an OPA bundle into OPA's Go evaluator as OPA's bundle loader does, for tests.

opa-golib-python-bindings exposes OPA's evaluator with modules and data (`OpaEngine.add_policy`,
`add_data`), not its bundle loader. So this module does what OPA's `bundle.Reader.Read` and
`Manifest.validateAndInjectDefaults` do before a bundle is activated, written from OPA's bundle
documentation and its v1/bundle/bundle.go, and independently of aiospo_ci.policy.bundle (the code
under test): open the gzipped tarball; take every `*.rego` file as a module named by its path in
the bundle; place every `data.json` at the path of its folder; read `.manifest`; check that the
roots do not overlap and hold every package and every data document. Then OPA's own evaluator
compiles and evaluates the modules. The signature is not verified here: tests check it with
OPA's own JWT code (`io.jwt.decode_verify`) instead.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from dataclasses import dataclass
from typing import Any

from tests.support.opa_reference import require_opa_bindings

_PACKAGE = re.compile(r"^package[ \t]+([A-Za-z_][A-Za-z0-9_.]*)", re.MULTILINE)


@dataclass
class OpaBundle:
    files: dict[str, bytes]
    modules: dict[str, str]
    data: dict[str, Any]
    manifest: dict[str, Any]

    @property
    def roots(self) -> list[str]:
        return self.manifest.get("roots", [""])

    @property
    def revision(self) -> str:
        return self.manifest.get("revision", "")


def _under(roots: list[str], path: str) -> bool:
    return any(r == "" or path == r or path.startswith(r + "/") for r in roots)


def unpack(raw: bytes) -> OpaBundle:
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile():
                handle = archive.extractfile(member)
                assert handle is not None
                files[member.name.lstrip("/")] = handle.read()
    modules = {name: body.decode() for name, body in files.items() if name.endswith(".rego")}
    data: dict[str, Any] = {}
    for name, body in sorted(files.items()):
        if name == "data.json" or name.endswith("/data.json"):
            node = data
            for part in name.split("/")[:-1]:
                node = node.setdefault(part, {})
            node.update(json.loads(body))
    manifest = json.loads(files[".manifest"]) if ".manifest" in files else {}
    bundle = OpaBundle(files, modules, data, manifest)
    roots = [r.strip("/") for r in bundle.roots]
    for i, a in enumerate(roots):
        for b in roots[i + 1 :]:
            assert not (_under([a], b) or _under([b], a)), f"manifest roots {a} and {b} overlap"
    for name, source in modules.items():
        match = _PACKAGE.search(source)
        assert match, f"{name}: no package"
        assert _under(roots, match.group(1).replace(".", "/")), f"{name}: package {match.group(1)} outside roots {roots}"

    def walk(value: Any, path: str) -> None:
        if _under(roots, path):
            return
        assert isinstance(value, dict) and any(_under([path], r) for r in roots), f"data at /{path} outside roots {roots}"
        for key, item in value.items():
            walk(item, f"{path}/{key}" if path else key)

    walk(data, "")
    return bundle


def opa_engine(bundle: OpaBundle):
    """OPA's evaluator holding the bundle's modules and data."""
    engine = require_opa_bindings().OpaEngine()
    for name in sorted(bundle.modules):
        engine.add_policy(name, bundle.modules[name])
    if bundle.data:
        engine.add_data(bundle.data)
    return engine
