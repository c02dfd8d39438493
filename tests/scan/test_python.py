"""The Python scanner: the API table, value resolution, flags, and what it must not report."""

from __future__ import annotations

import textwrap

from aiospo_ci.scan.python import PythonScanner
from aiospo_ci.scan.python_apis import Api, ApiIndex, may_reference


def scan(src: str):
    data = textwrap.dedent(src).encode()
    return PythonScanner().scan("app.py", data)


def one(src: str):
    refs = scan(src)
    assert len(refs) == 1, refs
    return refs[0]


def test_line_and_column_point_at_the_argument():
    r = one("""
        from transformers import AutoModel
        m = AutoModel.from_pretrained(
            "org/name",
        )
    """)
    assert (r.line, r.column, r.id) == (4, 5, "org/name")


def test_import_alias_of_module_and_class():
    r = one("""
        import transformers as tf
        tf.AutoModelForSeq2SeqLM.from_pretrained("google/flan-t5-base")
    """)
    assert r.call == "transformers.AutoModelForSeq2SeqLM.from_pretrained"


def test_from_pretrained_on_a_class_defined_here_is_still_reported():
    r = one("""
        class MyModel(PreTrainedModel):
            pass
        MyModel.from_pretrained("org/custom")
    """)
    assert (r.call, r.id, r.source) == ("MyModel.from_pretrained", "org/custom", "huggingface")


def test_pipeline_without_its_import_is_not_transformers():
    assert scan("""
        def pipeline(*steps):
            return steps
        pipeline("a", "org/x")
    """) == []


def test_resolution_cycle_ends_unresolved():
    r = one("""
        from transformers import AutoModel
        a = b
        b = a
        AutoModel.from_pretrained(a)
    """)
    assert (r.source, r.id) == ("unresolved", "a")


def test_long_reassignment_chain_and_fstring_concat():
    r = one("""
        from transformers import AutoModel
        ORG = "org"
        a = ORG
        b = a
        c = f"{b}/" + "name"
        AutoModel.from_pretrained(c)
    """)
    assert r.id == "org/name" and r.source == "huggingface" and r.flags == ()


def test_function_local_value_wins_over_module_value_and_uses_latest_assignment():
    refs = scan("""
        from transformers import AutoModel
        NAME = "org/module-level"
        def load():
            NAME = "org/first"
            NAME = "org/function-level"
            return AutoModel.from_pretrained(NAME)
        AutoModel.from_pretrained(NAME)
    """)
    assert sorted(r.id for r in refs) == ["org/function-level", "org/module-level"]


def test_env_default_is_overridable_and_or_fallback():
    refs = scan("""
        import os
        from transformers import AutoModel
        AutoModel.from_pretrained(os.environ.get("A", "org/a"))
        AutoModel.from_pretrained(os.getenv("B") or "org/b")
        AutoModel.from_pretrained(os.getenv("C"))
    """)
    by_id = {r.id: r for r in refs}
    assert by_id["org/a"].flags == ("overridable",) and dict(by_id["org/a"].detail) == {"overridable_by": "A"}
    assert dict(by_id["org/b"].detail) == {"overridable_by": "B"}
    assert by_id["os.getenv('C')"].source == "unresolved"


def test_dict_kwargs_literal_and_dict_call():
    refs = scan("""
        from transformers import pipeline
        pipeline("x", **{"model": "org/literal", "trust_remote_code": True})
        opts = dict(model="org/dict-call", revision="0123456789abcdef0123456789abcdef01234567")
        pipeline("x", **opts)
    """)
    by_id = {r.id: r for r in refs}
    assert by_id["org/literal"].flags == ("trust_remote_code",)
    assert by_id["org/dict-call"].pin == "commit"


def test_dataclass_instance_keyword_overrides_default():
    r = one("""
        from dataclasses import dataclass
        from transformers import AutoModel
        @dataclass
        class Cfg:
            name: str = "org/default"
        cfg = Cfg(name="org/override")
        AutoModel.from_pretrained(cfg.name)
    """)
    assert r.id == "org/override"


def test_self_attribute_set_in_init_from_another_method():
    r = one("""
        from openai import OpenAI
        class Bot:
            def __init__(self):
                self.client = OpenAI()
                self.model = "gpt-4o"
            def answer(self, q):
                return self.client.chat.completions.create(model=self.model, messages=[q])
    """)
    assert (r.id, r.source, r.provider, r.call) == ("gpt-4o", "api", "openai", "openai.OpenAI.chat.completions.create")


def test_hosted_model_unresolved_keeps_provider():
    r = one("""
        import anthropic
        def ask(client: anthropic.Anthropic, name):
            return client.messages.create(model=name, messages=[])
    """)
    assert (r.source, r.provider, r.id) == ("unresolved", "anthropic", "name")


def test_revision_flags():
    refs = scan("""
        import os
        from transformers import AutoModel
        def load(rev):
            AutoModel.from_pretrained("org/a", revision=rev)
        AutoModel.from_pretrained("org/b", revision=None)
        AutoModel.from_pretrained("org/c", revision="refs/pr/1")
    """)
    by_id = {r.id: r for r in refs}
    assert by_id["org/a"].flags == ("revision_from_variable", "revision_unresolved") and by_id["org/a"].pin == "mutable"
    assert dict(by_id["org/a"].detail) == {"revision_expression": "rev"}
    assert (by_id["org/b"].revision, by_id["org/b"].pin, by_id["org/b"].flags) == (None, "none", ())
    assert (by_id["org/c"].revision, by_id["org/c"].pin) == ("refs/pr/1", "mutable")


def test_trust_remote_code_false_and_safetensors_true_raise_no_flag():
    r = one("""
        from transformers import AutoModel
        AutoModel.from_pretrained("org/a", trust_remote_code=False, use_safetensors=True)
    """)
    assert r.flags == ()


def test_weights_dict_passed_to_load_lora_weights_is_not_a_reference():
    assert scan("""
        from diffusers import DiffusionPipeline
        pipe = DiffusionPipeline.from_pretrained("org/base")
        pipe.load_lora_weights({"w": 1})
    """)[0].id == "org/base"


def test_unresolved_expression_text_is_bounded():
    r = one("from transformers import AutoModel\nAutoModel.from_pretrained(f(" + "x + " * 200 + "x))\n")
    assert r.source == "unresolved" and len(r.id) <= 200 and r.id.endswith("...")


def test_snapshot_download_of_a_space_is_not_a_model():
    assert scan("""
        from huggingface_hub import snapshot_download
        snapshot_download("org/app", repo_type="space")
    """) == []


def test_latin1_file_with_encoding_cookie():
    data = "# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\nNOTE = 'café'\nAutoModel.from_pretrained('org/name')\n"
    refs = PythonScanner().scan("a.py", data.encode("latin-1"))
    assert [(r.id, r.source, r.line) for r in refs] == [("org/name", "huggingface", 4)]


def test_non_ascii_id_is_not_a_hub_id():
    (r,) = PythonScanner().scan("a.py", "from transformers import AutoModel\nAutoModel.from_pretrained('org/é')\n".encode())
    assert (r.id, r.source) == ("org/é", "local")


def test_prefilter_needs_an_import_or_a_loader_name():
    assert may_reference(b"from transformers import AutoModel\n")
    assert may_reference(b"x.from_pretrained('a')")
    assert may_reference(b"import torch\nstate = torch.load(p)\n")
    assert not may_reference(b"import torch\nx = torch.zeros(3)\n")  # torch without a load
    assert not may_reference(b"import numpy as np\n# transformers are great\n")
    assert not may_reference(b"x = 'from_dict'\n")


def test_api_index_extends_with_a_table_entry():
    index = ApiIndex((Api("mylib.Loader.fetch", ((0, "name"),)), Api("*.from_pretrained", ((0, None),))))
    assert index.find("mylib.Loader.fetch").pattern == "mylib.Loader.fetch"
    assert index.find("x.y.from_pretrained").pattern == "*.from_pretrained"
    assert index.find("mylib.Loader.other") is None


def test_format_and_percent_strings_resolve_with_plain_fields_only():
    refs = scan("""
        from transformers import AutoModel
        ORG, NAME = "org", "name"
        BASE = "org"
        AutoModel.from_pretrained("{}/{}".format(BASE, "a"))
        AutoModel.from_pretrained("{org}/{m}".format(org=BASE, m="b"))
        AutoModel.from_pretrained("%s/%s" % (BASE, "c"))
        AutoModel.from_pretrained("{:>999999999}".format(BASE))
        AutoModel.from_pretrained("%999999999s" % BASE)
    """)
    assert [(r.id, r.source) for r in refs] == [
        ("org/a", "huggingface"), ("org/b", "huggingface"), ("org/c", "huggingface"),
        ("'{:>999999999}'.format(BASE)", "unresolved"), ("'%999999999s' % BASE", "unresolved"),
    ]


def test_unresolved_paths_are_local_not_unresolved():
    refs = scan("""
        import os
        from pathlib import Path
        from transformers import AutoModel
        AutoModel.from_pretrained(Path(__file__).parent / "weights")
        AutoModel.from_pretrained(os.path.join(os.path.dirname(__file__), "weights"))
        AutoModel.from_pretrained(os.path.join(ROOT, "weights"))
    """)
    assert [r.source for r in refs] == ["local", "local", "local"]
    assert refs[0].id == "Path(__file__).parent / 'weights'"


def test_a_parameter_defaulting_to_none_is_whatever_the_caller_passes():
    refs = scan("""
        from datasets import load_dataset
        def evaluate(dataset_id=None, model_id="org/default"):
            data = load_dataset(dataset_id)
            return AutoModel.from_pretrained(model_id)
    """)
    assert [(r.id, r.source) for r in refs] == [("dataset_id", "unresolved"), ("org/default", "huggingface")]


def test_keyword_spreads_the_scan_cannot_read_may_carry_trust_remote_code(tmp_path):
    """`**kwargs` from elsewhere, or a dict changed after it was built, may hold
    trust_remote_code=True: flagged unresolved (judged by scan/unresolved-argument), never read
    as the safe default. Spreads of fixed keys, and calls that take no such argument, are not."""
    found = scan("""
        from huggingface_hub import hf_hub_download
        from transformers import AutoModel, pipeline

        FIXED = {"torch_dtype": "auto", "device_map": "cpu"}
        AutoModel.from_pretrained("org/fixed-keys", **FIXED)
        AutoModel.from_pretrained("org/dict-call", **dict(low_cpu_mem_usage=True))

        def load(name_kwargs, **kwargs):
            AutoModel.from_pretrained("org/from-parameters", **kwargs)
            hf_hub_download("org/download", "config.json", **kwargs)

        changed = {"torch_dtype": "auto"}
        changed["trust_remote_code"] = True
        AutoModel.from_pretrained("org/changed-later", **changed)
        pipeline("text-generation", model="org/built", **{**FIXED, **load_options()})
        AutoModel.from_pretrained("org/explicit", trust_remote_code=False, **load_options())
    """)
    flagged = {r.id: dict(r.detail).get("trust_remote_code_expression") for r in found if "trust_remote_code_unresolved" in r.flags}
    assert flagged == {
        "org/from-parameters": "<maybe in **kwargs>",
        "org/changed-later": "<maybe in **changed>",
        "org/built": "<maybe in **{**FIXED, **load_options()}>",
    }
    assert {r.id for r in found} >= {"org/fixed-keys", "org/dict-call", "org/download", "org/explicit"}

    (tmp_path / "app.py").write_text("from transformers import AutoModel\n\ndef load(**kwargs):\n"
                                     "    return AutoModel.from_pretrained('org/m', revision='0' * 40, **kwargs)\n")
    from aiospo_ci.cli import main

    assert main(["check", "--offline", "--cache-dir", str(tmp_path / ".cache"), "--format", "json",
                 "--output", str(tmp_path / "out.json"), str(tmp_path)]) in (0, 1)
    import json

    rules = {(f["rule"], f["severity"]) for f in json.loads((tmp_path / "out.json").read_text())["findings"]}
    assert ("scan/unresolved-argument", "warn") in rules
