"""Finding and reading the policy library and user folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library


def test_library_dir_holds_the_decision():
    lib = library.library_dir()
    assert (lib / "aiospo" / "main" / "main.rego").is_file()
    assert "package aiospo.main" in (lib / "aiospo" / "main" / "main.rego").read_text(encoding="utf-8")


def test_modules_are_named_by_path_in_a_fixed_order_without_tests():
    modules = library.load_modules([])
    names = list(modules)
    assert names == sorted(names)
    assert "rego/aiospo/main/main.rego" in names and "rego/aiospo/rules/license/license.rego" in names
    assert not [n for n in names if n.endswith("_test.rego")]
    assert [n for n in library.load_modules([], include_tests=True) if n.endswith("_test.rego")]


def test_user_folders_follow_the_library_and_load_once(tmp_path: Path):
    (tmp_path / "b.rego").write_text("package aiospo.rules.b\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.rego").write_text("package aiospo.rules.a\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.rego").write_text("package x\n", encoding="utf-8")
    names = list(library.load_modules([tmp_path, tmp_path]))
    mine = [n for n in names if not n.startswith("rego/")]
    assert mine == [f"{tmp_path.as_posix()}/b.rego", f"{tmp_path.as_posix()}/sub/a.rego"]
    assert names.index(mine[0]) > names.index("rego/aiospo/main/main.rego")


def test_unreadable_policy_names_the_file(tmp_path: Path):
    (tmp_path / "latin1.rego").write_bytes(b"package x\n# caf\xe9\n")
    with pytest.raises(PolicyError, match=r"latin1.rego: not UTF-8 text"):
        library.load_modules([tmp_path])


def test_missing_policy_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(PolicyError, match=r"policy folder .*nope: does not exist"):
        library.load_modules([tmp_path / "nope"])


def test_data_files_follow_opa_bundle_layout(tmp_path: Path):
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "data.json").write_text('{"allowed": ["meta-llama"]}', encoding="utf-8")
    (tmp_path / "data.json").write_text('{"top": 1}', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"ignored": true}', encoding="utf-8")
    assert library.load_data([tmp_path]) == {"orgs": {"allowed": ["meta-llama"]}, "top": 1}


def test_bad_data_file_names_the_file(tmp_path: Path):
    (tmp_path / "data.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"data.json: not valid JSON"):
        library.load_data([tmp_path])


def test_rule_metadata_from_the_library():
    rules = library.rule_metadata(library.load_modules([]))
    assert len(rules) >= 40
    lic = rules["license/category"]
    assert lic["title"] == "License category"
    assert lic["severity"] == "deny"
    assert lic["related_resources"][0]["ref"] == "https://huggingface.co/docs/hub/repositories-licenses"
    assert lic["module"] == "rego/aiospo/rules/license/license.rego"
    assert "never treated as permissive" in lic["description"]
    for rule_id, meta in rules.items():
        assert meta["severity"] in ("deny", "warn", "info"), rule_id
        assert meta["title"] and meta["description"], rule_id


def test_every_library_rule_id_appears_in_its_module():
    modules = library.load_modules([])
    for rule_id, meta in library.rule_metadata(modules).items():
        assert f'"{rule_id}"' in modules[meta["module"]], rule_id


def test_bad_metadata_yaml_names_the_line():
    source = "package p\n\n# METADATA\n# title: [unclosed\nallow := true\n"
    with pytest.raises(PolicyError, match=r"p.rego:3: the METADATA block is not valid YAML"):
        library.rule_metadata({"p.rego": source})


def test_metadata_severity_matches_what_each_rule_does():
    """A fixed severity is the same literal in lib.finding and in METADATA; a severity taken from
    the configuration is declared (custom.config names the keys) and METADATA gives the one the
    default configuration produces (rego/aiospo/defaults/defaults.rego)."""
    from aiospo_ci.policy.embedded import embedded_engine

    modules = library.load_modules([])
    engine = embedded_engine()
    engine.load(modules, {})
    defaults = engine.query("data.aiospo.defaults.settings", {})
    for rule_id, meta in library.rule_metadata(modules).items():
        source = modules[meta["module"]]
        literals = set(re.findall(r'lib\.(?:file_)?finding\(\s*"' + re.escape(rule_id) + r'"\s*,\s*"(\w+)"', source))
        if not meta["severity_from_config"]:
            assert literals == {meta["severity"]}, f"{rule_id}: METADATA says {meta['severity']}, the rule gives {literals}"
            continue
        assert meta["config"], f"{rule_id}: its severity comes from the configuration, so custom.config must name the keys"
        actions = set()
        for key in meta["config"].split(","):
            value = defaults
            for part in key.strip().replace("[]", "").split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value in ("deny", "warn", "info", "allow"):
                actions.add(value)
        if actions == {"allow"}:  # off by default: METADATA gives its severity when switched on, and says so
            assert "by default" in meta["description"], f"{rule_id}: off by default, which its description must say"
        elif actions:
            assert meta["severity"] in actions, f"{rule_id}: METADATA says {meta['severity']}, the defaults of {meta['config']} give {actions}"


def _rule_dir(tmp_path: Path, name: str, package: str = "aiospo.rules.team") -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "team.rego").write_text(f"package {package}\n", encoding="utf-8")
    return folder


def test_config_schemas_belong_to_the_rule_package_beside_them(tmp_path: Path):
    folder = _rule_dir(tmp_path, "team")
    (folder / "config.schema.json").write_text('{"type": "object", "additionalProperties": false}', encoding="utf-8")
    schemas = library.config_schemas([tmp_path])
    assert list(schemas) == ["team"]
    assert schemas["team"][0] == f"{folder.as_posix()}/config.schema.json"


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not valid JSON"),
        ('{"type": "no-such-type"}', "not a valid JSON Schema"),
    ],
)
def test_a_broken_config_schema_names_the_file(tmp_path: Path, text: str, words: str):
    folder = _rule_dir(tmp_path, "team")
    (folder / "config.schema.json").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=words):
        library.config_schemas([tmp_path])


def test_a_config_schema_beside_two_rule_packages_is_refused(tmp_path: Path):
    folder = _rule_dir(tmp_path, "team")
    (folder / "other.rego").write_text("package aiospo.rules.other\n", encoding="utf-8")
    (folder / "config.schema.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"this folder holds other, team; move it beside the rule file"):
        library.config_schemas([tmp_path])


def test_the_library_keeps_the_package_per_directory_layout():
    """Regal's directory-package-mismatch: a module's folder is its package path (a `_test`
    package sits with the package it tests), so a new file lands where its package says."""
    from aiospo_ci.policy.rego_source import RegoSource

    root = library.library_dir()
    for name, text in library.load_modules([], include_tests=True).items():
        package = RegoSource(name, text).package
        assert package, name
        folder = Path(name).relative_to("rego").parent.as_posix()
        expected = package[0].removesuffix("_test").replace(".", "/")
        assert folder == expected, f"{name}: package {package[0]} belongs in rego/{expected}/ (git mv it there)"
        if name.endswith("_test.rego") and "fixtures" not in name:
            assert package[0].endswith("_test"), f"{name}: tests go in package {package[0]}_test beside the rule"
    assert (root / library.DECISION_MODULE).is_file()
