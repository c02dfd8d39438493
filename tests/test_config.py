"""The configuration is validated against the shipped schema; a bad one names key, value and fix."""

from __future__ import annotations

import pytest

from aiospo_ci.config import load_config
from aiospo_ci.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / ".aiospo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config_is_returned_as_written(tmp_path):
    path = write(tmp_path, "intended_use: research\nlicenses:\n  categories:\n    copyleft: deny\n")
    assert load_config(path) == {"intended_use": "research", "licenses": {"categories": {"copyleft": "deny"}}}


def test_unquoted_dates_stay_text(tmp_path):
    path = write(tmp_path, "waivers:\n  - model: gpt2\n    rule: pinning/none\n    justification: demo only\n    expires: 2027-01-31\n")
    assert load_config(path)["waivers"][0]["expires"] == "2027-01-31"


def test_empty_file_is_an_empty_config(tmp_path):
    assert load_config(write(tmp_path, "# nothing yet\n")) == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("intended_use: commerical\n", r"key intended_use: 'commerical' is not one of .*expected one of \"commercial\", \"internal\", \"research\""),
        ("pinning:\n  none: block\n", r"key pinning.none: 'block' is not one of .*\"deny\", \"warn\", \"info\", \"allow\""),
        ("licences: {}\n", r"key \(top level\): Additional properties are not allowed \('licences' was unexpected\).*known keys are .*licenses"),
        ("waivers:\n  - model: gpt2\n    rule: pinning/none\n    expires: 2027-01-01\n", r"key waivers.0: 'justification' is a required property"),
        ("waivers:\n  - model: gpt2\n    rule: pinning/none\n    justification: ok\n    expires: next year\n", r"key waivers.0.expires: 'next year' does not match"),
        ("- a\n- b\n", r"must be a mapping of keys to values, not list"),
    ],
)
def test_bad_config_names_key_value_and_expectation(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected) as err:
        load_config(write(tmp_path, text))
    assert str(err.value).startswith(str(tmp_path / ".aiospo.yaml"))


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"not valid YAML at line 2"):
        load_config(write(tmp_path, "intended_use: research\n  bad: [unclosed\n"))


def test_yaml_is_loaded_safely(tmp_path):
    # A python/object tag must not be constructed: safe_load refuses it.
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "custom: !!python/object/apply:os.system ['touch pwned']\n"))
    assert not (tmp_path / "pwned").exists()
