"""Hostile and broken input: the scan completes, the file lands in `errors` (or `skipped`), and
nothing scanned is ever executed or unpickled.

Property tests (hypothesis, bounded) feed every scanner random and half-valid input through the
runner's per-file path: a scanner may refuse a file (ScanFailure, a clear reason) but must never
fail with anything else - the runner reports any other exception as "the X scanner failed", which
these tests treat as a bug."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiospo_ci.scan import runner
from aiospo_ci.scan.registry import SCANNERS
from aiospo_ci.scan.runner import scan_file, scan_paths
from aiospo_ci.scan.walk import FileEntry

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PATH_FOR = {
    "python": "m.py", "notebook": "n.ipynb", "yaml": "c.yaml", "json": "c.json", "toml": "c.toml",
    "model-card": "README.md", "env": ".env", "shell": "run.sh", "modelfile": "Modelfile",
    "javascript": "a.mjs", "weights": "w.pkl", "markdown-shell": "README.md", "requirements": "requirements.txt",
    "shebang": "run",
}
FRAGMENTS = [
    "from transformers import AutoModel\n", "import os\n", "AutoModel.from_pretrained(", '"org/name"', "'gpt2'",
    ", revision=", "trust_remote_code=True", ")", "(", "[", "]", "{", "}", "**", "f'{x}'", "x = ", "\n", "    ",
    "def f(a=1):\n", "class C:\n", "os.environ.get('M', 'org/x')", "pipeline(", "model=", "\\", "#", '"""', "\x00",
    "base_model: org/x\n", "&a [*a, *a]\n", '{"model": "org/x"}', "model = \"org/x\"\n", "---\n", "hf download ",
    "huggingface-cli download org/x\n", "FROM hf.co/a/b\n", "```bash\n", "```\n", "--model_name_or_path ", "wget https://huggingface.co/a/b/resolve/main/x\n", "import { pipeline } from '@huggingface/transformers';\n",
    "`${x}`", "/*", "*/", "//", "!pip install x\n", "%%bash\n", "\udcff", "é", "\r", "\t",
    "#!/usr/bin/env python3\n", "#!/bin/sh\n",
]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _entry(tmp_path: Path, name: str, data: bytes) -> FileEntry:
    p = tmp_path / name
    p.write_bytes(data)
    st_ = p.stat()
    return FileEntry(name, str(p), st_.st_size, st_.st_mtime_ns, st_.st_ino)


def _assert_handled(tmp_path: Path, name: str, data: bytes) -> None:
    entry = scan_file(_entry(tmp_path, name, data))
    for cause, reason, _line in entry.unread:
        assert cause != "crash", (name, data[:200], reason)
        assert reason and "\n" not in reason


_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@pytest.mark.parametrize("scanner", sorted(PATH_FOR))
@SETTINGS
@given(data=st.one_of(st.binary(max_size=3000), _text.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_random_input_never_breaks_a_scanner(tmp_path, scanner, data):
    _assert_handled(tmp_path, PATH_FOR[scanner], data)


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "expected.json")


@SETTINGS
@given(data=st.data())
def test_truncated_and_mutated_corpus_files(tmp_path, data):
    path = data.draw(st.sampled_from(_corpus_files()), label="file")
    content = path.read_bytes()
    cut = data.draw(st.integers(0, len(content)), label="cut")
    noise = data.draw(st.binary(max_size=16), label="noise")
    at = data.draw(st.integers(0, cut), label="at")
    mutated = content[:at] + noise + content[at:cut]
    _assert_handled(tmp_path, str(path.relative_to(CORPUS)).replace("/", "_") + path.suffix, mutated)


def test_every_scanner_is_covered_by_the_properties():
    assert {s.name for s in SCANNERS} == set(PATH_FOR)


HOSTILE = {
    "deep_parens.py": b"from_pretrained\nx = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
    "deep_binop.py": b"from transformers import AutoModel\nAutoModel.from_pretrained(" + b"a + " * 50000 + b"a)\n",
    "deep_calls.py": b"from transformers import AutoModel\nx = " + b"f(" * 3000 + b")" * 3000 + b"\n",
    "deep_lambda.py": b"from_pretrained\nx = " + b"lambda: " * 3000 + b"1\n",
    "python2.py": b"from transformers import AutoModel\nprint 'hello'\nexec 'x'\n",
    "late_null.py": b"from transformers import AutoModel\n" + b"x = 1\n" * 2000 + b"\x00\n",
    "bad_utf8.py": b"from transformers import AutoModel\nx = '\xff\xfe'\n",
    "bad_cookie.py": b"# coding: rot13-nope\nfrom transformers import AutoModel\n",
    "one_line.py": b"from transformers import AutoModel; x = '" + b"a" * 3_000_000 + b"'\n",
    "many_calls.py": b"from transformers import AutoModel\n" + b"AutoModel.from_pretrained('org/m')\n" * 20000,
    "bomb.yaml": b"a: &a [base_model, base_model]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
                 b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\nmodel: org/x\n",
    "deep.yaml": b"model: " + b"[" * 20000 + b"]" * 20000 + b"\n",
    "tabs.yaml": b"model:\n\t- org/x\n",
    "deep.json": b'{"model": ' + b"[" * 50000 + b"]" * 50000 + b"}",
    "dupes.json": b'{"model": "org/a", "model": "org/b", "model": 3}',
    "nan.json": b'{"model": NaN, "x": Infinity}',
    "bad.toml": b"[model\nmodel = 'org/x'\n",
    "deep.toml": b"model = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "huge.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": "from transformers import AutoModel\n"}] * 20000}).encode(),
    "deep.ipynb": b'{"from_pretrained": 1, "cells": ' + b"[" * 50000 + b"]" * 50000 + b"}",
    "cells_not_list.ipynb": b'{"cells": {"from_pretrained": 1}}',
    "weird.sh": b"hf download '$(rm -rf /)' `reboot` ${X:-${Y:-org/z}}\n" + b"\\\n" * 5000,
    "evil.mjs": b"import '@huggingface/transformers';\n" + b"/*" * 10000 + b"pipeline('a', 'b/c')",
    "truncated.pkl": b"\x80\x04\x95",
    "not_a_zip.pt": b"PK\x03\x04" + b"\xff" * 100,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_ends_in_a_clean_outcome(tmp_path, name):
    _assert_handled(tmp_path, name, HOSTILE[name])


def test_hostile_tree_completes_and_reports_each_file(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name, data in HOSTILE.items():
        (root / name).write_bytes(data)
    (root / "ok.py").write_text("from transformers import AutoModel\nAutoModel.from_pretrained('org/fine')\n")
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=2)
    assert "org/fine" in {r.id for r in result.references}
    unread = {u.file: u.cause for u in result.unread}
    # Unread: what a scanner that might find a model in it could not read. Python 2 lines, a late
    # NUL byte, deep nesting away from any loader call, and bad UTF-8 or an unknown encoding in a
    # file that calls nothing (and that Python refuses to run) are left out without a loss, so
    # those files are read, not reported.
    assert unread == {
        "bad.toml": "parse", "cells_not_list.ipynb": "parse",
        "deep.ipynb": "budget", "deep.json": "budget", "deep.toml": "budget", "deep.yaml": "parse",
        "deep_binop.py": "parse", "huge.ipynb": "size", "not_a_zip.pt": "weights-error", "tabs.yaml": "parse",
    }
    assert result.errors == ()


def test_100_mb_files_are_skipped_by_the_size_limit(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("huge.py", "huge.json", "huge.ipynb"):
        with open(root / name, "wb") as f:  # sparse: no disk used
            f.truncate(100 * 1024 * 1024)
    with open(root / "huge.ckpt", "wb") as f:
        f.truncate(300 * 1024 * 1024)
    (root / "marked.py").write_bytes(b"x = 1\n" * 2_000_000 + b"from transformers import AutoModel\n")
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    # Zeros cannot name a model: the oversized files of them are left alone. The one whose
    # content could is reported unread, and so is the weight file nobody checked.
    unread = {u.file: (u.cause, u.reason) for u in result.unread}
    assert unread == {
        "marked.py": ("size", f"12000035 bytes, above the {runner.MAX_TEXT_BYTES}-byte limit for text files, and it may name a model"),
        "huge.ckpt": ("weights-too-large", f"a weight file of {300 * 1024 * 1024} bytes, above the {runner.MAX_WEIGHT_BYTES}-byte "
                                           "scan limit: its content was not checked"),
    }
    (ref,) = result.references  # a weight file above its limit is still listed, unscanned
    assert (ref.id, ref.source) == ("huge.ckpt", "file") and dict(ref.detail)["scan"] == "error"
    assert result.errors == ()


def test_nothing_scanned_is_ever_executed_or_unpickled(tmp_path):
    """Every file below would create `marker` if it were run, imported, unpickled or constructed."""
    marker = tmp_path / "EXECUTED"
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    code = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    (root / "pkg" / "__init__.py").write_text(code)
    (root / "setup.py").write_text(code + "from transformers import AutoModel\nAutoModel.from_pretrained('org/a')\n")
    (root / "conftest.py").write_text(code)
    (root / "run.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": code + "!touch " + str(marker)}]}))
    cmd = f"touch {marker}".encode()
    payload = b"\x80\x04cposix\nsystem\n\x8c" + bytes([len(cmd)]) + cmd + b"\x85R."
    for name in ("model.pkl", "model.bin", "model.pt", "model.pth", "model.ckpt", "model.joblib"):
        (root / name).write_bytes(payload)
    (root / "conf.yaml").write_text(f"model: !!python/object/apply:os.system ['touch {marker}']\n")
    (root / "run.sh").write_text(f"touch {marker}\nhf download org/x\n")
    (root / "Makefile").write_text(f"all:\n\ttouch {marker}\n")
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=2)
    assert not marker.exists()
    dangerous = {r.id for r in result.references if dict(r.detail).get("scan") == "dangerous"}
    assert dangerous == {"model.pkl", "model.bin", "model.pt", "model.pth", "model.ckpt", "model.joblib"}
    assert "org/a" in {r.id for r in result.references}
    assert not marker.exists() and not os.path.exists(str(marker))
