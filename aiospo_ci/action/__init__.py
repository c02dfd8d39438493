"""The GitHub Action: run `check` on the workspace and report where reviewers look.

`python -m aiospo_ci.action` (or `aiospo-ci-action`) reads the Action's inputs (INPUT_*), the
event (GITHUB_EVENT_PATH), runs the same pipeline as `aiospo-ci check`, then reports through
the Checks API (annotations), a sticky pull-request comment, the job summary, the step outputs
and a SARIF file. GitHub API failures fall back and are reported; they never lose findings and
never change the verdict.
"""
