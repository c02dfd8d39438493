"""What the scanner could not read is reported, and reading degrades instead of giving up
(issue 11 §1): a syntax error, newer syntax than this interpreter, Python 2, doctest prompts, deep
nesting or a bad encoding cost the lines concerned, not the file; those lines are reported unread
when they could name a model; every scanner works within a budget and running out is reported."""

from __future__ import annotations

import json
import textwrap
import time

import pytest

from aiospo_ci.scan import budget
from aiospo_ci.scan.budget import BudgetExceeded, run_isolated
from aiospo_ci.scan.notebook import NotebookScanner
from aiospo_ci.scan.python import PYTHON, PythonAnalysis, PythonScanner
from aiospo_ci.scan.runner import scan_paths


def py(src: str):
    refs, gaps = PythonScanner().scan_with_notes("app.py", textwrap.dedent(src).encode())
    return [(r.id, r.line, r.source) for r in refs], [(g.cause, g.line, g.reason) for g in gaps]


def test_a_syntax_error_elsewhere_does_not_hide_the_load():
    refs, gaps = py("""
        from transformers import AutoModel
        def broken(:
            pass
        model = AutoModel.from_pretrained("org/next-to-an-error")
    """)
    assert refs == [("org/next-to-an-error", 5, "huggingface")]
    assert gaps == []  # the broken lines name nothing


def test_a_load_on_a_line_that_does_not_parse_is_reported_unread():
    refs, gaps = py("""
        from transformers import AutoModel
        good = AutoModel.from_pretrained("org/good")
        bad = AutoModel.from_pretrained("org/bad" "  # an unterminated string
    """)
    assert refs == [("org/good", 3, "huggingface")]
    ((cause, line, reason),) = gaps
    assert (cause, line) == ("parse", 4)
    assert reason.startswith(f"line 4 is not valid {PYTHON} (unterminated string literal")
    assert reason.endswith("and may name a model; the rest of the file was read")


def test_newer_syntax_than_the_interpreter_keeps_the_rest():
    # PEP 695 type parameters (Python 3.12) in one function, a load in another
    refs, gaps = py("""
        from transformers import AutoModel
        def first[T](items: list[T]) -> T:
            return items[0]
        class Box[T]:
            pass
        MODEL = AutoModel.from_pretrained("org/modern")
    """)
    assert refs == [("org/modern", 7, "huggingface")]


def test_python_2_print_statements_cost_their_lines_only():
    refs, gaps = py("""
        from transformers import AutoModel
        print "loading"
        model = AutoModel.from_pretrained("org/legacy")
        print >>sys.stderr, "done"
    """)
    assert refs == [("org/legacy", 4, "huggingface")]
    assert gaps == []


def test_deep_nesting_next_to_a_load_costs_only_the_nested_statement():
    src = 'from transformers import AutoModel\nx = ' + "(" * 5000 + "1" + ")" * 5000 + '\nAutoModel.from_pretrained("org/after-deep")\n'
    refs, gaps = PythonScanner().scan_with_notes("deep.py", src.encode())
    assert [r.id for r in refs] == ["org/after-deep"] and gaps == []


def test_deep_nesting_inside_the_load_is_reported():
    src = 'from transformers import AutoModel\nAutoModel.from_pretrained("org/x", x=' + "[" * 5000 + "]" * 5000 + ")\n"
    refs, gaps = PythonScanner().scan_with_notes("deep.py", src.encode())
    assert refs == [] and [(g.cause, g.line) for g in gaps] == [("parse", 2)]


def test_an_undecodable_file_is_read_with_replacement_and_reported():
    data = b"# -*- coding: no-such-codec -*-\nfrom transformers import AutoModel\nAutoModel.from_pretrained('org/cookie')\n"
    refs, gaps = PythonScanner().scan_with_notes("a.py", data)
    assert [r.id for r in refs] == ["org/cookie"]
    assert [(g.cause, g.reason) for g in gaps] == [
        ("encoding", "cannot be decoded as Python source (unknown encoding: no-such-codec); it was read with the undecodable bytes replaced")]


def test_one_call_that_breaks_the_analysis_costs_that_call_only(monkeypatch):
    """A scanner bug on one construct (simulated on one id) is reported at its line; the other
    references of the file are kept."""
    real = PythonAnalysis._emit

    def breaks_on_one(self, expr, *a, **kw):
        if getattr(expr, "value", None) == "org/trigger":
            raise KeyError("a bug")
        return real(self, expr, *a, **kw)

    monkeypatch.setattr(PythonAnalysis, "_emit", breaks_on_one)
    refs, gaps = py("""
        from transformers import AutoModel
        a = AutoModel.from_pretrained("org/before")
        b = AutoModel.from_pretrained("org/trigger")
        c = AutoModel.from_pretrained("org/after")
    """)
    assert [r[0] for r in refs] == ["org/before", "org/after"]
    assert gaps == [("crash", 4, "the call at line 4 could not be analysed (KeyError: 'a bug')")]


# -- notebooks as people write them --------------------------------------------------------------

def notebook(*cells: str) -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells], "nbformat": 4}).encode()


def nb(*cells: str):
    refs, gaps = NotebookScanner().scan_with_notes("n.ipynb", notebook(*cells))
    return sorted((r.cell, r.line, r.id, r.call) for r in refs), [(g.cause, g.reason) for g in gaps]


def test_doctest_prompts_are_stripped_and_their_output_ignored():
    refs, gaps = nb(">>> from transformers import AutoModel\n>>> m = AutoModel.from_pretrained(\n...     'org/doctest'\n... )\n"
                    "<BertModel output>\n")
    assert refs == [(1, 3, "org/doctest", "transformers.AutoModel.from_pretrained")] and gaps == []


def test_a_cell_with_a_placeholder_or_an_error_is_read_statement_by_statement():
    refs, gaps = nb("from transformers import AutoModel\n",
                    "model = AutoModel.from_pretrained('org/placeholder', ...)\nfor x in :\n    pass\n",
                    "x = AutoModel.from_pretrained('org/" + "\n")
    assert refs == [(2, 1, "org/placeholder", "transformers.AutoModel.from_pretrained")]
    assert [c for c, _ in gaps] == ["parse"] and gaps[0][1].startswith("cell 3: line 1 is not valid")


def test_a_cell_indented_as_a_whole_is_dedented():
    refs, _ = nb("from transformers import AutoModel\n", "    m = AutoModel.from_pretrained('org/indented')\n")
    assert [r[2] for r in refs] == ["org/indented"]


def test_loaders_called_without_their_import_in_a_notebook():
    refs, _ = nb("ds = load_dataset('org/data')\n", "tok = AutoTokenizer.from_pretrained('org/tok')\n",
                 "m = AutoModelForCausalLM.from_pretrained('org/lm')\n", "peft = PeftModel.from_pretrained(m, 'org/adapter')\n",
                 "e = SentenceTransformer('all-MiniLM-L6-v2')\n")
    assert refs == [
        (1, 1, "org/data", "datasets.load_dataset"),
        (2, 1, "org/tok", "transformers.AutoTokenizer.from_pretrained"),
        (3, 1, "org/lm", "transformers.AutoModelForCausalLM.from_pretrained"),
        (4, 1, "org/adapter", "peft.PeftModel.from_pretrained"),
        (5, 1, "sentence-transformers/all-MiniLM-L6-v2", "sentence_transformers.SentenceTransformer"),
    ]


def test_a_name_the_notebook_defines_itself_is_not_taken_for_the_loader():
    refs, _ = nb("def load_dataset(name):\n    return name\n", "x = load_dataset('org/not-datasets')\n")
    assert refs == []


def test_python_files_do_not_get_the_notebook_names():
    refs, _ = py("ds = load_dataset('org/data')\n")
    assert refs == []


# -- budgets -------------------------------------------------------------------------------------

def test_resolution_fan_out_is_linear_and_long_values_stay_unresolved():
    """`a1 = a0 + a0` sixty times names a string of 2**60 characters; resolved naively it takes
    forever. Each value is worked out once and a value longer than VALUE_CHARS is no name."""
    lines = ["from transformers import AutoModel", 'a0 = "ab"'] + [f"a{i} = a{i - 1} + a{i - 1}" for i in range(1, 61)]
    lines += ["AutoModel.from_pretrained(a60)", "AutoModel.from_pretrained(a5)"]
    refs, gaps = PythonScanner().scan_with_notes("fan.py", ("\n".join(lines) + "\n").encode())
    assert {(r.id, r.source) for r in refs} == {("a60", "unresolved"), ("ab" * 32, "huggingface")} and gaps == []


def test_running_out_of_resolution_steps_is_reported_and_keeps_the_references(monkeypatch):
    monkeypatch.setattr(budget, "RESOLVE_STEPS", 50)
    lines = ["from transformers import AutoModel", 'ORG = "org"'] + [f'AutoModel.from_pretrained(ORG + "/m{i}")' for i in range(40)]
    refs, gaps = PythonScanner().scan_with_notes("many.py", ("\n".join(lines) + "\n").encode())
    assert len(refs) == 40  # every call is still reported, resolved or not
    assert any(r.source == "unresolved" for r in refs) and any(r.source == "huggingface" for r in refs)
    assert [(g.cause, g.reason) for g in gaps] == [
        ("budget", "more than 50 value resolutions needed; the names not resolved by then are reported unresolved")]


def test_a_file_over_its_time_is_stopped_and_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(budget, "FILE_SECONDS", 0.5)

    def slow_scan(self, relpath, data):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(PythonScanner, "scan_with_notes", slow_scan)
    (tmp_path / "slow.py").write_text("from transformers import AutoModel\n")
    started = time.monotonic()
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".c", jobs=1)
    assert time.monotonic() - started < 5
    assert [(u.file, u.cause, u.reason) for u in result.unread] == [
        ("slow.py", "budget", "the scan stopped: it took longer than 0.5 seconds")]


def test_isolated_scan_is_killed_at_its_time_limit():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="took longer than 0.3 seconds"):
        run_isolated(lambda: time.sleep(30), seconds=0.3)
    assert time.monotonic() - started < 5


def test_isolated_scan_runs_out_of_memory_and_says_so():
    with pytest.raises(BudgetExceeded, match="MiB of memory"):
        run_isolated(lambda: len(bytearray(512 << 20)), seconds=20, memory=64 << 20)


def test_isolated_scan_returns_its_answer():
    assert run_isolated(lambda: {"refs": [1, 2]}, seconds=20) == {"refs": [1, 2]}


def test_a_large_file_of_nothing_but_names_ends_within_its_budget(tmp_path):
    """Ten megabytes of `a` lines take CPython's parser about a minute and nine gigabytes; the
    file is scanned in a child process capped in time and memory, and reported unread."""
    (tmp_path / "names.py").write_bytes(b"from transformers import AutoModel\n" + b"a\n" * (4 * 1024 * 1024)
                                        + b"AutoModel.from_pretrained('org/after-the-names')\n")
    started = time.monotonic()
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".c", jobs=1)
    assert time.monotonic() - started < budget.FILE_SECONDS + 10
    assert [(u.file, u.cause) for u in result.unread] == [("names.py", "budget")]


def test_a_declared_encoding_cannot_hide_a_load_from_the_prefilter():
    """UTF-7 can spell every letter of `from_pretrained` in base64: the bytes hold no marker,
    but Python decodes it and runs the load."""
    text = 'from transformers import AutoModel\nAutoModel.from_pretrained("org/hidden")\n'
    hidden = "".join(f"+{__import__('base64').b64encode(c.encode('utf-16-be')).decode().rstrip('=')}-" if c.isalpha() else c
                     for c in text)
    data = b"# -*- coding: utf-7 -*-\n" + hidden.encode("ascii")
    assert b"from_pretrained" not in data and compile(data, "x", "exec")
    scanner = PythonScanner()
    assert scanner.may_contain(data)
    assert [(r.id, r.line) for r in scanner.scan("hidden.py", data)] == [("org/hidden", 3)]


def test_the_scanned_codes_own_warnings_never_reach_the_output(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.py").write_text('from transformers import AutoModel\nPATTERN = "\\d+"\nAutoModel.from_pretrained("org/x")\n')
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "aiospo_ci.scan", str(tmp_path), "--cache-dir", str(tmp_path / "c")],
                          capture_output=True, text=True, check=True)
    assert proc.stderr == "" and '"org/x"' in proc.stdout
