"""Scripts without an extension: the `#!` line decides which scanner reads them, so `bin/train`
is judged like `train.py`, and nothing else without an extension costs a finding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aiospo_ci.scan.registry import scanners_for
from aiospo_ci.scan.runner import MAX_TEXT_BYTES, scan_paths
from aiospo_ci.scan.shebang import interpreter

PY_LOAD = 'from transformers import AutoModel\nAutoModel.from_pretrained("org/{name}", trust_remote_code=True)\n'
SH_LOAD = "huggingface-cli download org/{name}\n"


@pytest.mark.parametrize(("first", "kind"), [
    ("#!/usr/bin/env python3", "python"),
    ("#!/usr/bin/python3.11", "python"),
    ("#! /usr/bin/env python", "python"),
    ("#!/usr/bin/env -S uv run --script", "python"),
    ("#!/usr/bin/env pypy3", "python"),
    ("#!/bin/sh", "shell"),
    ("#!/bin/bash -eu", "shell"),
    ("#!/usr/bin/env bash", "shell"),
    ("#!/usr/bin/env zsh", "shell"),
    ("#!/bin/dash", "shell"),
    ("#!/usr/bin/perl", None),
    ("#!/usr/bin/env node", None),
    ("#!/usr/bin/env python-config-tool", None),
    ("#!/opt/bashful/run", None),
    ("# not a shebang", None),
])
def test_the_first_line_names_the_interpreter(first, kind):
    assert interpreter(f"{first}\nbody\n".encode()) == kind
    assert interpreter(f"\n{first}\n".encode()) is None  # only at the very start, as the kernel reads it


def _write(root: Path, rel: str, data: bytes | str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)


def test_extensionless_scripts_are_read_by_the_scanner_their_shebang_names(tmp_path):
    _write(tmp_path, "bin/train", "#!/usr/bin/env python3\n" + PY_LOAD.format(name="python-script"))
    _write(tmp_path, "bin/fetch", "#!/bin/bash\nset -e\n" + SH_LOAD.format(name="shell-script"))
    _write(tmp_path, ".profile", "#!/bin/sh\n" + SH_LOAD.format(name="dotfile"))  # a login shell's, not the build's
    _write(tmp_path, "bin/report", "#!/usr/bin/perl\n# " + PY_LOAD.format(name="perl"))
    _write(tmp_path, "scripts/train", PY_LOAD.format(name="no-shebang-python"))  # run as `python scripts/train`
    _write(tmp_path, "scripts/fetch", "set -e\n" + SH_LOAD.format(name="no-shebang-shell"))  # `bash scripts/fetch`
    _write(tmp_path, "NOTES", "Load it with AutoModel.from_pretrained('org/prose') from transformers.\n")  # not Python
    _write(tmp_path, "Makefile", "#!/usr/bin/env python3\nfetch:\n\t" + SH_LOAD.format(name="makefile"))
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    got = {(r.file, r.line, r.id, r.flags) for r in result.references}
    assert got == {
        ("bin/train", 3, "org/python-script", ("trust_remote_code",)),
        ("bin/fetch", 3, "org/shell-script", ()),
        ("Makefile", 3, "org/makefile", ()),  # the shell scanner's, once: the shebang scanner leaves it
        ("scripts/train", 2, "org/no-shebang-python", ("trust_remote_code",)),
        ("scripts/fetch", 2, "org/no-shebang-shell", ()),
    }
    assert result.unread == ()


def test_binaries_and_large_files_without_an_extension_cost_nothing(tmp_path):
    """An executable, a large data file and a file with NUL bytes are not scripts: not unread."""
    _write(tmp_path, "bin/tool", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)
    _write(tmp_path, "data/blob", b"\x00" * 1000 + b'from transformers import AutoModel\nAutoModel.from_pretrained("org/in-a-blob")'
           b"\nhf download org/in-a-blob\n")
    _write(tmp_path, "data/huge", b"x" * (MAX_TEXT_BYTES + 10) + b'from_pretrained("org/late")')
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    assert result.references == () and result.unread == ()
    assert result.files_scanned == 3


def test_a_script_too_large_to_read_is_reported_unread(tmp_path):
    _write(tmp_path, "bin/big", "#!/usr/bin/env python3\n" + "x = 1\n" * (MAX_TEXT_BYTES // 6 + 10)
           + PY_LOAD.format(name="late"))
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    assert [(u.file, u.cause) for u in result.unread] == [("bin/big", "size")]


def test_a_python_script_that_does_not_parse_is_read_as_its_py_twin(tmp_path):
    """Tolerant reading and unread parts are the Python scanner's, exactly as for a .py file."""
    text = "#!/usr/bin/env python3\nprint 'python 2'\n" + PY_LOAD.format(name="kept") + 'bad = AutoModel.from_pretrained("org/bad" "\n'
    _write(tmp_path, "bin/run", text)
    _write(tmp_path, "bin/run.py", text)
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    by_file = {f: ([r.id for r in result.references if r.file == f], [(u.cause, u.line) for u in result.unread if u.file == f])
               for f in ("bin/run", "bin/run.py")}
    assert by_file["bin/run"] == by_file["bin/run.py"]
    assert by_file["bin/run"][0] == ["org/kept"] and by_file["bin/run"][1][0][0] == "parse"


def test_the_shebang_scanner_claims_only_paths_nobody_else_reads():
    for path in ("bin/train", "scripts/fetch-weights", "LICENSE"):
        assert [s.name for s in scanners_for(path)] == ["shebang"], path
    assert scanners_for(".gitignore") == scanners_for(".bashrc") == ()
    for path, owner in (("Makefile", "shell"), ("Dockerfile", "shell"), ("Modelfile", "modelfile"), (".env", "env"),
                        ("app.py", "python")):
        assert [s.name for s in scanners_for(path)] == [owner], path


def test_check_denies_a_model_loaded_from_an_extensionless_script(tmp_path):
    _write(tmp_path, "bin/serve", "#!/usr/bin/env python3\n" + PY_LOAD.format(name="served"))
    run = subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "check", "--offline", "--cache-dir", str(tmp_path / ".cache"), str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "bin/serve:3: deny security/trust-remote-code" in run.stdout
