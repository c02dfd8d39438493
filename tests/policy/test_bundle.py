"""OPA bundles: `policy build` writes one that OPA's Go evaluator and the embedded engine judge
alike, a signed one verifies with OPA's own JWT code, a tampered one is refused, and `check
--bundle` (a file or a bundle service URL) names the revision that decided in every report."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import tarfile
from pathlib import Path

import jwt
import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import bundle
from aiospo_ci.policy.embedded import embedded_engine
from tests.robustness.harness import Cli, write_tree
from tests.support.opa_bundle import opa_engine, unpack
from tests.support.opa_reference import opa_decision, require_opa_bindings
from tests.support.opa_server import FakeOpaServer
from tests.support.org_policies import write_acme, write_project
from tests.support.policy_corpus import corpus_case, corpus_paths

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "policies"
SECRET = b"an HMAC secret of thirty-two bytes or more"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`python -m aiospo_ci` in a clean environment, with tmp_path as its HOME (tests/robustness/harness.py)."""
    return Cli(tmp_path)


def _keypair(tmp_path: Path, name: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / f"{name}.pem"
    public = tmp_path / f"{name}.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return _keypair(tmp_path, "signer")


def _files(raw: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]


def _repack(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def test_policy_build_writes_a_standard_opa_bundle(tmp_path, cli):
    acme = write_acme(tmp_path / "acme")
    (acme / "aaa_rules" / "allowlist_test.rego").write_text("package aiospo.rules.acme_allowlist_test\n\ntest_x if true\n", encoding="utf-8")
    out = tmp_path / "bundle.tar.gz"
    run = cli("policy", "build", str(acme), "-o", str(out), "--revision", "rev-1")
    assert run.rc == 0, run
    assert "rev-1" in run.stderr
    opa = unpack(out.read_bytes())  # asserts the roots hold every package and data document, as OPA does
    assert opa.manifest == {
        "revision": "rev-1",
        "roots": ["acme/helpers", "aiospo", "lists"],  # the narrowest: no claim on data.acme or the whole tree
        "rego_version": 1,
        "metadata": {"aiospo_ci": {"version": "0.1.0", "input_schema_version": 1}},
    }
    assert "aiospo/rules/acme_allowlist/allowlist.rego" in opa.modules and "acme/helpers/helpers.rego" in opa.modules
    assert "aiospo/main/main.rego" in opa.modules and "aiospo/lib/helpers.rego" in opa.modules
    assert not any(name.endswith("_test.rego") for name in opa.files)
    assert opa.data["lists"] == {"publishers": ["google-bert/"]}
    marker = opa.data["aiospo"]["bundle"]
    assert (marker["revision"], marker["aiospo_ci"], marker["input_schema_version"]) == ("rev-1", "0.1.0", 1)
    assert marker["rules"]["acme/not-allowed"]["title"] == "Model outside ACME's allow-list"
    # The same folders and revision give the same bytes.
    again = tmp_path / "again.tar.gz"
    assert cli("policy", "build", str(acme), "-o", str(again), "--revision", "rev-1").rc == 0
    assert again.read_bytes() == out.read_bytes()


def test_default_revision_is_a_digest_of_the_content_outside_git(tmp_path):
    acme = write_acme(tmp_path / "acme")
    first = unpack(bundle.build([acme])[0]).revision
    assert first.startswith("sha256-") and first == unpack(bundle.build([acme])[0]).revision
    (acme / "lists" / "data.json").write_text('{"publishers": ["meta-llama/"]}\n', encoding="utf-8")
    assert unpack(bundle.build([acme])[0]).revision != first


def _documents() -> list[dict]:
    documents = [corpus_case(p.name)["input"] for p in corpus_paths()]
    # The examples' org_allowlist rule only speaks when the configuration lists organisations.
    custom = json.loads(json.dumps(documents[0]))
    custom["config"] = {**custom["config"], "custom": {"org_allowlist": {"allowed_orgs": ["google-bert"]}}}
    return [*documents, custom]


def test_a_built_bundle_decides_alike_in_opas_evaluator_and_the_embedded_engine(tmp_path):
    """OPA's Go evaluator (the bundle loaded as OPA's loader does: tests/support/opa_bundle.py)
    and the embedded engine (the bundle read by aiospo-ci) give identical findings."""
    raw, _ = bundle.build([write_acme(tmp_path / "acme"), EXAMPLES], revision="r")
    opa = opa_engine(unpack(raw))
    read = bundle.read_bundle(raw, "bundle.tar.gz")
    embedded = embedded_engine()
    embedded.load(read.modules, read.data)
    rules = set()
    for document in _documents():
        want = sorted(json.dumps(f, sort_keys=True) for f in opa_decision(opa, document))
        assert sorted(json.dumps(f, sort_keys=True) for f in embedded.evaluate(document)) == want
        rules |= {json.loads(f)["rule"] for f in want}
    assert {"acme/not-allowed", "org/not-allowed", "owner/missing", "license/category"} <= rules  # the custom rules spoke


def test_a_signed_bundle_verifies_with_opas_own_jwt_code(tmp_path, keys):
    private, public = keys
    raw, _ = bundle.build([write_acme(tmp_path / "acme")], revision="r", signing=bundle.SigningKey(private.read_bytes()))
    files = _files(raw)
    token = json.loads(files[".signatures.json"])["signatures"][0]
    opa = opa_engine(unpack(raw))
    [row] = opa.eval_query('x := io.jwt.decode_verify(input.t, {"cert": input.k})', {"t": token, "k": public.read_text()})
    valid, header, payload = row["x"]
    assert valid is True and header["alg"] == "RS256"
    listed = {f["name"]: f for f in payload["files"]}
    assert set(listed) == set(files) - {".signatures.json"}
    assert {f["algorithm"] for f in listed.values()} == {"SHA-256"}
    # Each hash as OPA computes it: the bytes of a module, the canonical JSON of a data file or
    # manifest (OPA's json.marshal sorts keys; Go escapes <, > and & there, its hasher does not).
    for name, content in files.items():
        if name == ".signatures.json":
            continue
        if name.endswith(".rego"):
            [row] = opa.eval_query("x := crypto.sha256(input.s)", {"s": content.decode()})
            assert row["x"] == listed[name]["hash"], name
        else:
            [row] = opa.eval_query("x := json.marshal(json.unmarshal(input.s))", {"s": content.decode()})
            canonical = row["x"].replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
            assert hashlib.sha256(canonical.encode()).hexdigest() == listed[name]["hash"], name


def _signed(tmp_path: Path, private: Path) -> dict[str, bytes]:
    raw, _ = bundle.build([write_acme(tmp_path / "acme")], revision="signed-1", signing=bundle.SigningKey(private.read_bytes()))
    return _files(raw)


def _edit_rule(files: dict[str, bytes]) -> str:
    name = "aiospo/rules/license/license.rego"
    files[name] = files[name].replace(b'"deny"', b'"info"')
    return name


def _edit_data(files: dict[str, bytes]) -> str:
    data = json.loads(files["data.json"])
    data["lists"]["publishers"].append("facebook/")
    files["data.json"] = json.dumps(data).encode()
    return "data.json"


def _add_module(files: dict[str, bytes]) -> str:
    files["aiospo/rules/evil/evil.rego"] = b"package aiospo.rules.evil\n"
    return "aiospo/rules/evil/evil.rego"


def _remove_module(files: dict[str, bytes]) -> str:
    del files["aiospo/rules/license/license.rego"]
    return "aiospo/rules/license/license.rego"


def _strip_signature(files: dict[str, bytes]) -> str:
    del files[".signatures.json"]
    return "not signed"


@pytest.mark.parametrize("tamper", [_edit_rule, _edit_data, _add_module, _remove_module, _strip_signature])
def test_a_tampered_signed_bundle_is_refused(tmp_path, keys, cli, tamper):
    private, public = keys
    files = _signed(tmp_path, private)
    named = tamper(files)
    path = tmp_path / "tampered.tar.gz"
    path.write_bytes(_repack(files))
    project = write_project(tmp_path / "project")
    run = cli("check", "--offline", str(project), "--bundle", str(path), "--verification-key", str(public))
    assert run.rc == 2, run
    assert str(path) in run.stderr and named in run.stderr, run
    assert "Refusing" in run.stderr or "refusing" in run.stderr


def test_a_bundle_signed_by_another_key_or_unverified_is_refused(tmp_path, keys, cli):
    private, public = keys
    other, _ = _keypair(tmp_path, "other")
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(_repack(_signed(tmp_path, other)))
    project = write_project(tmp_path / "project")
    wrong = cli("check", "--offline", str(project), "--bundle", str(path), "--verification-key", str(public))
    assert wrong.rc == 2 and "does not verify" in wrong.stderr, wrong
    # A signed bundle needs a key, as OPA requires: a signature nobody checks proves nothing.
    unverified = cli("check", "--offline", str(project), "--bundle", str(path))
    assert unverified.rc == 2 and "no verification key" in unverified.stderr, unverified
    right = cli("check", "--offline", str(project), "--bundle", str(_write(tmp_path / "ok.tar.gz", _repack(_signed(tmp_path, private)))), "--verification-key", str(public))
    assert right.rc == 1, right  # judged: the unknown licenses and ACME's rule deny


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


def test_check_with_a_bundle_from_a_bundle_service_and_its_token(tmp_path, cli):
    raw, _ = bundle.build([write_acme(tmp_path / "acme")], revision="svc-7")
    project = write_project(tmp_path / "project")
    token = "bundle-service-token-3141"
    with FakeOpaServer() as service:
        url = service.serve_bundle("acme.tar.gz", raw, token=token)
        run = cli("check", "--offline", str(project), "--bundle", url, "--format", "json", env={"AIOSPO_BUNDLE_TOKEN": token})
        denied = cli("check", "--offline", str(project), "--bundle", url)
        fetched = [r for r in service.requests if r.path == "/bundles/acme.tar.gz"]
    assert run.rc == 1, run
    report = json.loads(run.stdout)
    assert report["bundles"] == {url: "svc-7"}
    assert {f["rule"] for f in report["findings"]} >= {"acme/not-allowed"}
    assert [f["model"] for f in report["findings"] if f["rule"] == "acme/not-allowed"] == ["facebook/nllb-200-distilled-600M"]
    assert fetched[0].headers.get("Authorization") == f"Bearer {token}"
    assert token not in run.stdout + run.stderr
    assert denied.rc == 2 and "HTTP 401" in denied.stderr, denied


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_the_bundle_revision_appears_in_every_report(tmp_path, cli, fmt):
    path = _write(tmp_path / "org.tar.gz", bundle.build([write_acme(tmp_path / "acme")], revision="0123abc-revision")[0])
    run = cli("check", "--offline", str(write_project(tmp_path / "project")), "--bundle", str(path), "--format", fmt)
    assert run.rc == 1, run
    assert "0123abc-revision" in run.stdout and str(path) in run.stdout
    if fmt == "sarif":
        assert json.loads(run.stdout)["runs"][0]["properties"]["aiospo-ci"]["bundles"] == [{"name": str(path), "revision": "0123abc-revision"}]


def test_only_the_workflow_chooses_the_bundle(tmp_path, cli):
    """The pull request's .aiospo.yaml may say which bundle judges the repository, but only the
    workflow (--bundle, AIOSPO_BUNDLE) can give one: a configuration naming another, or naming
    one the workflow does not give, stops the run instead of judging by anything else."""
    org = _write(tmp_path / "org.tar.gz", bundle.build([write_acme(tmp_path / "acme")], revision="r")[0])
    lax = _write(tmp_path / "lax.tar.gz", bundle.build([], revision="lax")[0])
    project = write_project(tmp_path / "project", {".aiospo.yaml": f"bundle:\n  url: {lax}\n"})
    swapped = cli("check", "--offline", str(project), "--bundle", str(org))
    assert swapped.rc == 2 and "only the workflow chooses the policy bundle" in swapped.stderr, swapped
    missing = cli("check", "--offline", str(project))
    assert missing.rc == 2 and "gives no bundle" in missing.stderr, missing
    via_env = cli("check", "--offline", str(project), "--format", "json", env={"AIOSPO_BUNDLE": str(lax)})
    assert via_env.rc == 1 and json.loads(via_env.stdout)["bundles"] == {str(lax): "lax"}, via_env


def test_a_bundle_the_running_aiospo_ci_cannot_feed_is_refused(tmp_path, cli):
    files = _files(bundle.build([], revision="r")[0])
    data = json.loads(files["data.json"])
    data["aiospo"]["bundle"]["aiospo_ci"] = "0.9.0"
    files["data.json"] = json.dumps(data).encode()
    newer = _write(tmp_path / "newer.tar.gz", _repack(files))
    del data["aiospo"]["bundle"]
    files["data.json"] = json.dumps(data).encode()
    foreign = _write(tmp_path / "foreign.tar.gz", _repack(files))
    project = write_project(tmp_path / "project")
    run = cli("check", "--offline", str(project), "--bundle", str(newer))
    assert run.rc == 2 and "built by aiospo-ci 0.9.0" in run.stderr and str(newer) in run.stderr, run
    run = cli("check", "--offline", str(project), "--bundle", str(foreign))
    assert run.rc == 2 and "data.aiospo.bundle is undefined" in run.stderr, run


def test_repository_policies_run_beside_the_bundle(tmp_path, cli):
    path = _write(tmp_path / "org.tar.gz", bundle.build([], revision="r")[0])
    project = write_project(tmp_path / "project")
    run = cli("check", "--offline", str(project), "--bundle", str(path), "--policy", str(write_acme(tmp_path / "acme")), "--format", "json")
    assert run.rc == 1, run
    assert "acme/not-allowed" in {f["rule"] for f in json.loads(run.stdout)["findings"]}


@pytest.mark.parametrize("engine", ["regorus", "regopy", "opa"])
def test_the_author_checks_know_the_library_in_a_bundle_and_check_the_rest(tmp_path, cli, engine):
    """A bundle holds the library under its packages' paths (aiospo/main/main.rego): the load-time
    author checks know those modules by their text and pass them on every engine, and still
    refuse an organisation's module that the engine would evaluate differently from OPA."""
    require_opa_bindings()
    env = {"AIOSPO_OPA_BIN": str(tmp_path / "no-opa")}  # --engine opa: OPA's Go evaluator in process
    project = write_project(tmp_path / "project")
    org = _write(tmp_path / "org.tar.gz", bundle.build([write_acme(tmp_path / "acme")], revision="r")[0])
    run = cli("check", "--offline", str(project), "--bundle", str(org), "--engine", engine, "--format", "json", env=env)
    assert run.rc == 1, run
    assert "acme/not-allowed" in {f["rule"] for f in json.loads(run.stdout)["findings"]}
    # sprintf's %d prints a negative number as "--3" on regorus: refused there only.
    rule = 'findings contains lib.finding("counting/refs", "info", sprintf("%d references", [count(input.references)]), null) if true\n'
    counting = write_tree(tmp_path / "counting", {"rules/count.rego": f"package aiospo.rules.counting\n\nimport data.aiospo.lib\n\n{rule}"})
    path = _write(tmp_path / "counting.tar.gz", bundle.build([counting], revision="r")[0])
    run = cli("check", "--offline", str(project), "--bundle", str(path), "--engine", engine, "--format", "json", env=env)
    if engine == "regorus":
        assert run.rc == 2 and "aiospo/rules/counting/count.rego:5: 'sprintf' with '%d'" in run.stderr, run
        assert "aiospo/main/main.rego" not in run.stderr, run  # the library's own %d calls are not the author's
    else:
        assert run.rc == 1 and "counting/refs" in {f["rule"] for f in json.loads(run.stdout)["findings"]}, run


def test_build_signs_and_checks_the_key_pair(tmp_path, keys, cli):
    private, public = keys
    _, other_public = _keypair(tmp_path, "other")
    acme = write_acme(tmp_path / "acme")
    out = tmp_path / "b.tar.gz"
    ok = cli("policy", "build", str(acme), "-o", str(out), "--signing-key", str(private), "--verification-key", str(public))
    assert ok.rc == 0 and "signed with RS256" in ok.stderr, ok
    header = json.loads(base64.urlsafe_b64decode(json.loads(_files(out.read_bytes())[".signatures.json"])["signatures"][0].split(".")[0] + "=="))
    assert header["alg"] == "RS256"
    mismatch = cli("policy", "build", str(acme), "-o", str(tmp_path / "c.tar.gz"), "--signing-key", str(private), "--verification-key", str(other_public))
    assert mismatch.rc == 2 and "does not verify" in mismatch.stderr, mismatch
    assert not (tmp_path / "c.tar.gz").exists()


def test_build_never_writes_a_bundle_that_does_not_decide(tmp_path, cli):
    bad = tmp_path / "bad" / "rules"
    bad.mkdir(parents=True)
    (bad / "x.rego").write_text("package aiospo.rules.x\n\nimport data.aiospo.lib\n\nfindings contains lib.no_such_helper(1) if true\n", encoding="utf-8")
    out = tmp_path / "b.tar.gz"
    run = cli("policy", "build", str(tmp_path / "bad"), "-o", str(out))
    assert run.rc == 2 and "x.rego" in run.stderr and "no_such_helper" in run.stderr, run
    assert not out.exists()
    # A rule that loads and would silently never fire (nested under aiospo.rules.<name>) is
    # refused as check refuses it, naming the author's file.
    (bad / "x.rego").write_text("package aiospo.rules.team.x\n\nimport data.aiospo.lib\n\nfindings contains lib.finding(\"team/x\", \"warn\", \"m\", null) if true\n", encoding="utf-8")
    run = cli("policy", "build", str(tmp_path / "bad"), "-o", str(out))
    assert run.rc == 2 and f"{(bad / 'x.rego').as_posix()}:1" in run.stderr and "declare `package aiospo.rules.team_x`" in run.stderr, run
    assert not out.exists()


def test_hmac_signing_round_trips_and_a_public_key_never_verifies_an_hmac_token(tmp_path, keys):
    _, public = keys
    raw, _ = bundle.build([], revision="r", signing=bundle.SigningKey(SECRET, "HS256"))
    assert bundle.read_bundle(raw, "b", bundle.VerificationKey(SECRET)).signed
    with pytest.raises(PolicyError, match="does not verify"):
        bundle.read_bundle(raw, "b", bundle.VerificationKey(SECRET[::-1]))
    # The algorithm-confusion attack: an HMAC token "signed" with the public key's PEM text.
    forged, _ = bundle.build([], revision="r", signing=bundle.SigningKey(SECRET[::-1], "HS256"))
    files = _files(forged)

    payload = jwt.decode(json.loads(files[".signatures.json"])["signatures"][0], options={"verify_signature": False})
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(public.read_bytes(), head + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
    files[".signatures.json"] = json.dumps({"signatures": [(head + b"." + body + b"." + mac).decode()]}).encode()
    with pytest.raises(PolicyError, match="does not verify"):
        bundle.read_bundle(_repack(files), "b", bundle.VerificationKey(public.read_bytes()))


def test_a_key_that_is_no_file_is_never_echoed():
    """A secret given where a key file was expected (AIOSPO_BUNDLE_VERIFICATION_KEY=secret) must
    not reach the log through the error that says the file cannot be read."""
    with pytest.raises(PolicyError) as err:
        bundle.read_key("hmac-secret-value-5772", "AIOSPO_BUNDLE_VERIFICATION_KEY")
    assert "hmac-secret-value-5772" not in str(err.value) and "AIOSPO_BUNDLE_VERIFICATION_KEY" in str(err.value)
