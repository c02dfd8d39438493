"""docs/configuration.md is generated from the configuration schema and the policy defaults;
the committed page must be what the generator writes today."""

from __future__ import annotations

import copy
from pathlib import Path

from aiospo_ci.config import load_schema
from aiospo_ci.tools import gen_config_docs

ROOT = Path(__file__).resolve().parents[1]


def test_committed_configuration_reference_is_current():
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == gen_config_docs.render(load_schema("config.schema.json")), (
        "docs/configuration.md is stale; run `python -m aiospo_ci.tools.gen_config_docs`"
    )


def test_every_schema_key_is_documented_with_its_policy_default():
    schema = load_schema("config.schema.json")
    text = gen_config_docs.render(schema)
    for key in schema["properties"]:
        assert f"| `{key}` |" in text
    for key in schema["properties"]["vetting"]["properties"]:
        assert f"| `vetting.{key}` |" in text
    defaults = gen_config_docs.policy_defaults()
    assert f"| `pinning.none` | action | Policy default: `{defaults['pinning']['none']}`. |" in text


def test_a_schema_change_changes_the_page():
    schema = copy.deepcopy(load_schema("config.schema.json"))
    schema["properties"]["fail_on"]["description"] = "Something else entirely."
    assert "Something else entirely." in gen_config_docs.render(schema)


def test_check_mode_reports_a_stale_page(tmp_path, capsys):
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n")
    assert gen_config_docs.main(["--check", "--output", str(stale)]) == 1
    assert "is stale" in capsys.readouterr().err
    assert gen_config_docs.main(["--output", str(stale)]) == 0
    assert gen_config_docs.main(["--check", "--output", str(stale)]) == 0
