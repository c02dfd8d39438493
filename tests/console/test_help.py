"""`--help` on every command, sub-subcommands included, shows examples; the top-level help
lists the exit codes."""

from __future__ import annotations

import argparse

import pytest

from aiospo_ci.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + (name,), sub
                yield from _commands(sub, prefix + (name,))


COMMANDS = list(_commands(build_parser()))


def test_the_expected_commands_exist():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"scan", "check", "lock", "inventory", "init"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_help_has_examples(path, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*path, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out, f"`aiospo-ci {' '.join(path)} --help` shows no examples"
    typed = " ".join(dict(COMMANDS)[path].prog.split()[:2])  # as typed: `inventory-merge` is `aiospo-ci inventory merge`
    assert typed in out.split("examples:", 1)[1]


def test_top_level_help_has_examples_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "Exit codes: 0 pass, 1 policy failure, 2 no verdict" in out
