"""Parsing only the relevant blocks must give exactly what a whole parse gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from aiospo_ci.scan import python_blocks
from aiospo_ci.scan.python import PythonAnalysis, hot_lines, parse_python
from aiospo_ci.scan.python_blocks import parse_relevant

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def both(data: bytes):
    hot = hot_lines(data)
    whole = PythonAnalysis("f.py", parse_python(data, "f.py"), None, hot).run()
    tree = parse_relevant(data, "f.py", hot)
    part = PythonAnalysis("f.py", tree, None, hot).run() if tree is not None else None
    return whole, part


@pytest.fixture(autouse=True)
def no_size_floor(monkeypatch):
    monkeypatch.setattr(python_blocks, "_MIN_BYTES", 0)


def test_corpus_resolution_file_gives_the_same_references():
    whole, part = both((CORPUS / "src" / "models" / "resolution.py").read_bytes())
    assert part is not None, "resolution.py has blocks without markers: the block parse applies"
    assert sorted(part, key=repr) == sorted(whole, key=repr) and len(whole) == 18


FILLER = '''

def helper_{n}(x, y=2):
    """Nothing to see."""
    total = x * y
    return total


class Holder{n}:
    value = {n}

    def get(self):
        return self.value
'''


def test_large_file_with_config_class_far_from_its_use():
    head = "from dataclasses import dataclass\nfrom transformers import AutoModel\nBASE = 'org'\n"
    cfg = "\n\n@dataclass\nclass TrainConfig:\n    name: str = f'{BASE}/configured'\n"
    use = "\n\ndef run(cfg: TrainConfig):\n    return AutoModel.from_pretrained(cfg.name, revision=REV)\n"
    tail = "\n\nREV = 'v1'\nif __name__ == '__main__':\n    run(TrainConfig())\n"
    src = head + "".join(FILLER.format(n=i) for i in range(40)) + cfg + "".join(
        FILLER.format(n=i) for i in range(40, 80)) + use + tail
    whole, part = both(src.encode())
    assert part is not None, "the block parse should apply to this file"
    assert [(r.id, r.revision, r.line) for r in part] == [(r.id, r.revision, r.line) for r in whole]
    assert [r.id for r in whole] == ["org/configured"]


def test_column_zero_lines_inside_strings_fall_back_or_agree():
    src = (
        "from transformers import AutoModel\n"
        'DOC = """\ndef not_code():\nclass Nope:\n"""\n'
        "def load():\n    text = '''\nclass Inside:\n'''\n    return AutoModel.from_pretrained('org/x')\n"
        + "".join(FILLER.format(n=i) for i in range(5))
    )
    whole, part = both(src.encode())
    assert [r.id for r in whole] == ["org/x"]
    assert part is None or [(r.id, r.line) for r in part] == [(r.id, r.line) for r in whole]


def test_random_block_orders_agree():
    rng = random.Random(3)
    pieces = [FILLER.format(n=i) for i in range(30)] + [
        f"\n\ndef use_{i}():\n    return AutoModel.from_pretrained(NAME_{i})\n" for i in range(5)
    ] + [f"\nNAME_{i} = 'org/model-{i}'\n" for i in range(5)]
    for _ in range(10):
        rng.shuffle(pieces)
        src = "from transformers import AutoModel\n" + "".join(pieces)
        whole, part = both(src.encode())
        assert len(whole) == 5
        assert part is not None and sorted((r.id, r.line) for r in part) == sorted((r.id, r.line) for r in whole)


def test_long_class_chain_falls_back_to_the_whole_file():
    chain = "".join(f"\n\nclass C{i}:\n    name = C{i + 1}.name\n" for i in range(6)) + "\n\nclass C6:\n    name = 'org/deep'\n"
    src = ("from transformers import AutoModel\n" + "".join(FILLER.format(n=i) for i in range(20)) + chain
           + "\n\ndef use():\n    return AutoModel.from_pretrained(C0.name)\n")
    whole, part = both(src.encode())
    assert part is None  # more than three rounds of classes naming classes: parsed whole
    assert [r.id for r in whole] == ["org/deep"]


def test_top_level_else_and_words_that_start_like_keywords():
    src = ("from transformers import AutoModel\ntry:\n    import torch\nexcept ImportError:\n    torch = None\n"
           "else:\n    pass\n" + "".join(FILLER.format(n=i) for i in range(10))
           + "\nelsewhere = 'org/else'\nexcept_name = 'org/except'\n" + "".join(FILLER.format(n=i) for i in range(10, 20))
           + "\n\ndef use():\n    AutoModel.from_pretrained(elsewhere)\n    AutoModel.from_pretrained(except_name)\n")
    whole, part = both(src.encode())
    assert part is not None
    assert sorted(r.id for r in part) == sorted(r.id for r in whole) == ["org/else", "org/except"]


def test_a_large_class_keeps_only_the_methods_that_matter():
    methods = "".join(f"\n    def helper_{n}(self, x):\n        self.cache_{n} = x * {n}\n        return self.cache_{n}\n" for n in range(300))
    src = (
        "from transformers import AutoModel\n\n\n"
        "class Loader:\n"
        '    """Loads."""\n'
        "    default = 'org/class-level'\n\n"
        "    def __init__(self):\n        self.name = 'org/from-init'\n\n"
        "    def configure(self):\n        self.revision = 'main'\n"
        + methods +
        "\n    def load(self):\n"
        "        a = AutoModel.from_pretrained(self.name, revision=self.revision)\n"
        "        return AutoModel.from_pretrained(self.default)\n"
    ).encode()
    whole, part = both(src)
    assert part is not None and sorted(part, key=repr) == sorted(whole, key=repr)
    assert {(r.id, r.revision) for r in whole} == {("org/from-init", "main"), ("org/class-level", None)}
    tree = parse_relevant(src, "f.py", hot_lines(src))
    import ast

    kept = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert kept == {"__init__", "configure", "load"}  # the 300 helpers are blanked
