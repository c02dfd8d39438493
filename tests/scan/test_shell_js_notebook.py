"""Shell-like files, Transformers.js and notebooks."""

from __future__ import annotations

import json

import pytest

from aiospo_ci.scan.interface import ScanFailure
from aiospo_ci.scan.javascript import JavaScriptScanner, blank_comments
from aiospo_ci.scan.notebook import NotebookScanner
from aiospo_ci.scan.shell import ModelfileScanner, ShellScanner


def ids(refs):
    return [(r.id, r.line, r.call, r.source) for r in sorted(refs, key=lambda r: (r.line, r.id))]


def test_shell_continuations_options_and_comments():
    data = b"""#!/bin/sh
# hf download org/in-comment
hf download \\
  --repo-type dataset \\
  org/data --revision 0123456789abcdef0123456789abcdef01234567
echo 'huggingface-cli download org/quoted-in-echo'
huggingface-cli download org/a && huggingface-cli download org/b
"""
    refs = ShellScanner().scan("fetch.sh", data)
    assert ids(refs) == [
        ("org/data", 3, "shell:hf download", "huggingface"),
        ("org/a", 7, "shell:huggingface-cli download", "huggingface"),
        ("org/b", 7, "shell:huggingface-cli download", "huggingface"),
    ]
    data_ref = next(r for r in refs if r.id == "org/data")
    assert (data_ref.kind, data_ref.pin) == ("dataset", "commit")


def test_shell_variables_defaults_and_unknowns():
    data = b'M=org/plain\nhf download $M\nhf download "${OTHER:-org/default}"\nhf download $NOPE\n'
    refs = ShellScanner().scan("x.sh", data)
    assert ids(refs) == [
        ("org/plain", 2, "shell:hf download", "huggingface"),
        ("org/default", 3, "shell:hf download", "huggingface"),
        ("$NOPE", 4, "shell:hf download", "unresolved"),
    ]
    default = next(r for r in refs if r.id == "org/default")
    assert (default.flags, dict(default.detail)) == (("overridable",), {"overridable_by": "OTHER"})


def test_shell_handles_ci_workflows_dockerfiles_and_makefiles_only():
    s = ShellScanner()
    for path in ("run.sh", "Dockerfile", "docker/Dockerfile.gpu", "Makefile", "build.mk", ".github/workflows/ci.yml",
                 "deploy/docker-compose.yml"):
        assert s.handles(path), path
    for path in ("config.yml", "docs/Makefile.md", "script.py"):
        assert not s.handles(path), path


def test_unbalanced_quotes_do_not_break_the_scan():
    refs = ShellScanner().scan("x.sh", b"echo 'unterminated\nhf download org/after\n")
    assert [r.id for r in refs] == ["org/after"]


def test_modelfile_from():
    refs = ModelfileScanner().scan("Modelfile", b"# FROM hf.co/org/commented\nFROM hf.co/org/name:Q8_0\nFROM llama3.2\n")
    assert [(r.id, r.line, dict(r.detail)) for r in refs] == [("org/name", 2, {"quant": "Q8_0"})]


def test_js_comments_blanked_but_strings_kept():
    text = "a = '// not a comment'; // real comment\n/* block\ncomment */ b = \"/* string */\";\n"
    out = blank_comments(text)
    assert out.count("\n") == text.count("\n")
    assert "'// not a comment'" in out and "real comment" not in out and "block" not in out
    assert '"/* string */"' in out


def test_js_requires_transformers_js_import():
    s = JavaScriptScanner()
    assert not s.may_contain(b"pipeline('a', 'org/x')")
    assert s.may_contain(b"import { pipeline } from '@huggingface/transformers'")


def test_js_template_literal_with_substitution_is_unresolved():
    data = b"import { pipeline } from '@xenova/transformers';\nconst p = await pipeline('x', `Xenova/${name}`);\n"
    (r,) = JavaScriptScanner().scan("a.js", data)
    assert (r.source, r.id, r.line) == ("unresolved", "Xenova/${name}", 2)


def _nb(cells):
    return json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode()


def test_notebook_cells_share_imports_and_lines_are_per_cell():
    data = _nb([
        {"cell_type": "code", "source": "from transformers import AutoModel\nNAME = 'org/x'"},
        {"cell_type": "markdown", "source": "AutoModel.from_pretrained('org/markdown')"},
        {"cell_type": "code", "source": ["x = 1\n", "m = AutoModel.from_pretrained(NAME)\n"]},
    ])
    (r,) = NotebookScanner().scan("n.ipynb", data)
    assert (r.id, r.cell, r.line) == ("org/x", 3, 2)


def test_notebook_indented_magic_and_help_lines_are_tolerated():
    data = _nb([{"cell_type": "code", "source": [
        "from transformers import AutoModel\n", "if True:\n", "    %time x = 1\n", "    !ls\n", "AutoModel?\n",
        "m = AutoModel.from_pretrained('org/y')\n",
    ]}])
    refs, notes = NotebookScanner().scan_with_notes("n.ipynb", data)
    assert notes == [] and [(r.id, r.cell, r.line) for r in refs] == [("org/y", 1, 6)]


@pytest.mark.parametrize("data, message", [
    (b"{not json", "not a valid notebook"),
    (b'{"cells": 5}', "no 'cells' list"),
    (b"[]", "no 'cells' list"),
])
def test_malformed_notebooks_fail_clearly(data, message):
    with pytest.raises(ScanFailure, match=message):
        NotebookScanner().scan("n.ipynb", data)


def test_notebook_cells_of_odd_shapes_are_skipped():
    data = _nb([5, {"cell_type": "code", "source": 7}, {"cell_type": "code", "source": ["AutoModel", None]}])
    assert NotebookScanner().scan_with_notes("n.ipynb", data) == ([], [])


def test_compose_file_commands():
    data = b"services:\n  tgi:\n    image: ghcr.io/huggingface/text-generation-inference\n    command: --model-id org/served --port 80\n"
    assert ids(ShellScanner().scan("docker-compose.yml", data)) == [("org/served", 4, "shell:--model-id", "huggingface")]
