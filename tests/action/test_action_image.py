"""The image: every dependency from a hash-locked file, tini as init, OPA started without
telemetry, and a digest pin that only a real digest can fill. (Building and running the image
needs a Docker engine: scripts/image.sh build and smoke, run by the release workflow.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "docker" / "requirements.lock"
sys.path.insert(0, str(ROOT / "scripts"))


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them (ruamel.yaml == ruamel-yaml)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the lock's `name==version \\ --hash=...` entries."""
    out: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[a-z0-9])", LOCK.read_text(encoding="utf-8")):
        m = re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", block)
        if m:
            out[_normal(m.group(1))] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return out


def test_every_dependency_is_locked_with_hashes_at_a_version_pyproject_allows():
    locked = _locked()
    assert locked and all(hashes for _, hashes in locked.values())
    assert not [line for line in LOCK.read_text().splitlines() if line and not line.startswith((" ", "#")) and "==" not in line]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [Requirement(r) for r in project["project"]["dependencies"] + project["build-system"]["requires"]]
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.12"}):
            continue
        name = _normal(req.name)
        assert name in locked, f"{req.name} is not in docker/requirements.lock: run scripts/image.sh lock"
        assert req.specifier.contains(locked[name][0], prereleases=True), f"{req.name} {locked[name][0]} does not satisfy {req.specifier}"


def test_the_dockerfile_installs_only_the_locked_wheels_and_runs_under_tini():
    text = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes --only-binary=:all: --no-deps -r /opt/aiospo-ci/docker/requirements.lock" in text
    assert "--no-deps --no-build-isolation --no-index /opt/aiospo-ci" in text  # the package itself fetches nothing
    assert re.search(r"apt-get install -y --no-install-recommends git tini\b", text)
    assert text.strip().splitlines()[-1] == 'ENTRYPOINT ["/usr/bin/tini", "--", "aiospo-ci-action"]'
    assert "!docker/requirements.lock" in (ROOT / ".dockerignore").read_text()


def test_the_image_script_is_valid_bash_and_smoke_tests_what_matters():
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts/image.sh")], capture_output=True).returncode == 0
    script = (ROOT / "scripts/image.sh").read_text()
    for needle in ("--generate-hashes", "docker build", "/github/workspace", "tini", "stat -c %u", "opa"):
        assert needle in script


def test_pin_image_accepts_only_a_digest():
    from pin_image import pin

    action = (ROOT / "action.yml").read_text()
    assert "\n  image: Dockerfile\n" in action  # no image is published yet: nothing to pin
    digest = "ghcr.io/aiospo-ci/aiospo-ci@sha256:" + "0" * 64
    pinned = pin(action, digest)
    assert f"\n  image: docker://{digest}\n" in pinned and pinned.replace(f"docker://{digest}", "Dockerfile") == action
    for bad in ("ghcr.io/aiospo-ci/aiospo-ci:v1", "ghcr.io/aiospo-ci/aiospo-ci@sha256:abc", "Dockerfile", "docker://x@sha256:" + "0" * 64):
        with pytest.raises(ValueError):
            pin(action, bad)


def test_the_local_opa_server_starts_with_telemetry_off(tmp_path):
    """LocalOpaEngine against an `opa` executable that records its command line and serves OPA's
    REST API (tests/support/opa_server.py) on the address it is given."""
    from aiospo_ci.policy import library
    from aiospo_ci.policy.opa import LocalOpaEngine

    argv_file = tmp_path / "argv.json"
    fake = tmp_path / "opa"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        f"open({str(argv_file)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "from tests.support.opa_server import FakeOpaServer\n"
        "port = int(sys.argv[sys.argv.index('--addr') + 1].rsplit(':', 1)[1])\n"
        "with FakeOpaServer(port=port):\n"
        "    time.sleep(120)\n"
    )
    fake.chmod(0o755)
    started = time.monotonic()
    engine = LocalOpaEngine(str(fake))
    try:
        engine.load(library.load_modules([]), library.load_data([]))
        assert engine.evaluate({"schema_version": 1, "today": "2026-11-26", "config": {}, "references": []}) == []
    finally:
        engine.close()
    argv = json.loads(argv_file.read_text())
    assert argv[:2] == ["run", "--server"] and "--disable-telemetry" in argv
    assert time.monotonic() - started < 60
