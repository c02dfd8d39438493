"""Mechanical fixes for what the policies flag: `aiospo-ci fix`, `check --fix`, the
`aiospo-ci-fix` pre-commit hook and the Action's review suggestions.

`plan.py` turns references and their Hub facts into edits (pin a commit, drop an unneeded
trust_remote_code, switch use_safetensors=False to True); one module per file type applies them
(`python.py` with libcst, `yaml_config.py` guided by ruamel.yaml, `json_config.py`), each keeping
every byte it does not change. Nothing here executes or imports the code it rewrites.
"""
