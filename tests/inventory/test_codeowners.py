"""CODEOWNERS: GitHub's semantics (last match wins, unowning lines, `dir/*` depth, file order)."""

from __future__ import annotations

from aiospo_ci.codeowners import CodeOwners

RULES = """\
# the default owners
*                   @org/everyone
*.py                @org/python
/src/               @org/backend
src/ml/             @org/ml @alice
docs/*              docs@example.com
src/ml/generated/
# an escaped space in a path
space\\ dir/        @org/spaces
bad-owner-line      not-an-owner
"""


def test_last_matching_rule_wins():
    owners = CodeOwners.parse(RULES)
    assert owners.owners("README.md") == ("@org/everyone",)
    assert owners.owners("tools/x.py") == ("@org/python",)
    assert owners.owners("src/app.py") == ("@org/backend",)
    assert owners.owners("src/ml/train.py") == ("@org/ml", "@alice")


def test_a_rule_without_owners_unowns_the_path():
    assert CodeOwners.parse(RULES).owners("src/ml/generated/model.py") == ()


def test_dir_star_matches_direct_children_only():
    owners = CodeOwners.parse(RULES)
    assert owners.owners("docs/index.md") == ("docs@example.com",)
    # Not docs/*: falls back to the earlier `*` rule.
    assert owners.owners("docs/api/ref.md") == ("@org/everyone",)


def test_escaped_space_and_comments_and_invalid_owners():
    owners = CodeOwners.parse(RULES)
    assert owners.owners("space dir/notes.txt") == ("@org/spaces",)
    assert owners.owners("bad-owner-line") == ()


def test_file_location_preference(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs-team\n")
    (tmp_path / "CODEOWNERS").write_text("* @root-team\n")
    assert CodeOwners.load(tmp_path).owners("a.py") == ("@root-team",)
    assert CodeOwners.load(tmp_path).source == "CODEOWNERS"
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @github-team\n")
    loaded = CodeOwners.load(tmp_path)
    assert (loaded.source, loaded.owners("a.py")) == (".github/CODEOWNERS", ("@github-team",))


def test_no_codeowners_file(tmp_path):
    loaded = CodeOwners.load(tmp_path)
    assert loaded.source is None and loaded.owners("a.py") == ()


def test_a_line_pathspec_cannot_parse_matches_nothing():
    # GitHub skips lines it cannot parse; a bare `!` is not a valid gitignore pattern either.
    owners = CodeOwners.parse("* @org/everyone\n! @org/nobody\n")
    assert owners.owners("src/a.py") == ("@org/everyone",)
