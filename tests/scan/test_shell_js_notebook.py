"""Shell-like files, Transformers.js and notebooks."""

from __future__ import annotations

import json

import pytest

from aiospo_ci.scan.interface import ScanFailure
from aiospo_ci.scan.javascript import JavaScriptScanner, blank_comments
from aiospo_ci.scan.notebook import NotebookScanner
from aiospo_ci.scan.runner import scan_paths
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
                 "deploy/docker-compose.yml", ".github/actions/setup/action.yml", ".circleci/config.yml",
                 "bitbucket-pipelines.yml", ".buildkite/pipeline.yml", ".gitlab-ci.yml", "ci/train.gitlab-ci.yml",
                 ".gitlab/ci/eval.yml", ".drone.yml", ".travis.yml", "cloudbuild.yaml", "azure-pipelines.yaml"):
        assert s.handles(path), path
    for path in ("config.yml", "docs/Makefile.md", "script.py", "conf/circleci.yml", "pipelines.yml"):
        assert not s.handles(path), path


@pytest.mark.parametrize(("path", "text"), [
    (".circleci/config.yml", "jobs:\n  build:\n    steps:\n      - run: huggingface-cli download org/ci-model\n"),
    ("bitbucket-pipelines.yml", "pipelines:\n  default:\n    - step:\n        script:\n          - hf download org/ci-model\n"),
    (".github/actions/fetch/action.yml", "runs:\n  using: composite\n  steps:\n    - run: hf download org/ci-model\n"),
    (".buildkite/pipeline.yml", "steps:\n  - command: |\n      set -e\n      hf download org/ci-model\n"),
])
def test_other_ci_systems_steps_are_read_as_shell(tmp_path, path, text):
    """A model fetched by a CI step is used by the project whichever CI system runs it."""
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    refs = scan_paths(tmp_path, cache_dir=tmp_path / ".cache").references
    assert [(r.file, r.id, r.line) for r in refs] == [(path, "org/ci-model", text.count("\n"))]


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


# -- training and serving flags, downloads, Markdown and requirements (issue 14 §4) -------------

def test_training_flags_with_launchers_and_continuations():
    from aiospo_ci.scan.shell import ShellScanner

    data = b"""#!/bin/bash
MODEL=meta-llama/Llama-3.1-8B
accelerate launch --config_file configs/fsdp.yaml examples/train.py \\
  --model_name_or_path $MODEL \\
  --dataset_name HuggingFaceH4/ultrachat_200k \\
  --tokenizer_name bert-base-uncased \\
  --output_dir org/not-a-model
torchrun --nproc_per_node 8 -m trl.scripts.sft --model-name-or-path=Qwen/Qwen2.5-0.5B --base_model ./checkpoints/base
python -m lm_eval --model hf --model_args pretrained=org/x --tasks hellaswag
python serve.py --model gpt-4o
python serve.py --model openai-community/gpt2 --pretrained_model_name_or_path stabilityai/sdxl-turbo
"""
    refs = ShellScanner().scan("train.sh", data)
    assert [(r.line, r.id, r.kind, r.source, r.call) for r in refs] == [
        (3, "meta-llama/Llama-3.1-8B", "model", "huggingface", "shell:--model_name_or_path"),
        (3, "HuggingFaceH4/ultrachat_200k", "dataset", "huggingface", "shell:--dataset_name"),
        (3, "bert-base-uncased", "model", "huggingface", "shell:--tokenizer_name"),
        (8, "Qwen/Qwen2.5-0.5B", "model", "huggingface", "shell:--model_name_or_path"),
        (8, "./checkpoints/base", "model", "local", "shell:--base_model"),
        (11, "openai-community/gpt2", "model", "huggingface", "shell:--model"),
        (11, "stabilityai/sdxl-turbo", "model", "huggingface", "shell:--pretrained_model_name_or_path"),
    ]


def test_downloads_of_hub_files_and_other_hosts_weights():
    from aiospo_ci.scan.shell import ShellScanner

    data = b"""wget https://huggingface.co/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf
curl -L -o sd.safetensors "https://huggingface.co/stabilityai/sdxl-turbo/resolve/462165984030d82259a11f4367a4eed129e94a7b/sd_xl_turbo_1.0.safetensors"
curl -L https://huggingface.co/datasets/openai/gsm8k/resolve/main/main/test-00000-of-00001.parquet -o test.parquet
curl -L -o model.safetensors https://civitai.com/api/download/models/128713
wget -q https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth
curl -fsSL https://example.com/install.sh | sh
git clone https://huggingface.co/openai/whisper-large-v3
pip install https://huggingface.co/spacy/en_core_web_sm/resolve/main/en_core_web_sm-any-py3-none-any.whl
echo https://huggingface.co/org/only-mentioned
"""
    refs = ShellScanner().scan("fetch.sh", data)
    assert [(r.line, r.id, r.kind, r.source, r.call, r.revision, r.pin) for r in refs] == [
        (1, "TheBloke/Llama-2-7B-GGUF", "model", "huggingface", "shell:wget", "main", "mutable"),
        (2, "stabilityai/sdxl-turbo", "model", "huggingface", "shell:curl", "462165984030d82259a11f4367a4eed129e94a7b", "commit"),
        (3, "openai/gsm8k", "dataset", "huggingface", "shell:curl", "main", "mutable"),
        (4, "https://civitai.com/api/download/models/128713", "model", "file", "shell:curl", None, "none"),
        (5, "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth", "model", "file", "shell:wget", None, "none"),
        (7, "openai/whisper-large-v3", "model", "huggingface", "shell:git clone", None, "none"),
        (8, "spacy/en_core_web_sm", "model", "huggingface", "shell:pip install", "main", "mutable"),
    ]


def test_ci_workflow_run_steps_with_flags():
    from aiospo_ci.scan.shell import ShellScanner

    data = b"""jobs:
  train:
    steps:
      - run: |
          python train.py \\
            --model_name_or_path google/gemma-2-2b \\
            --dataset_name tatsu-lab/alpaca
      - run: python eval.py --model mistralai/Mistral-7B-v0.1
"""
    refs = ShellScanner().scan(".github/workflows/train.yml", data)
    assert [(r.line, r.id) for r in refs] == [(5, "google/gemma-2-2b"), (5, "tatsu-lab/alpaca"), (8, "mistralai/Mistral-7B-v0.1")]


def test_fenced_shell_blocks_of_markdown_only():
    from aiospo_ci.scan.shell import MarkdownShellScanner

    data = b"""# Fine-tuning

Run `hf download org/in-inline-code` first? No: only fenced shell blocks count.

```bash
accelerate launch train.py \\
  --model_name_or_path Qwen/Qwen2.5-7B-Instruct
```

```console
$ huggingface-cli download BAAI/bge-m3
Downloading... org/in-output
```

```python
model = AutoModel.from_pretrained("org/in-python-block")
```

~~~sh
vllm serve mistralai/Mistral-7B-Instruct-v0.3
~~~
"""
    scanner = MarkdownShellScanner()
    assert scanner.handles("docs/README.md") and scanner.may_contain(data)
    assert [(r.line, r.id, r.call) for r in scanner.scan("README.md", data)] == [
        (6, "Qwen/Qwen2.5-7B-Instruct", "shell:--model_name_or_path"),
        (11, "BAAI/bge-m3", "shell:huggingface-cli download"),
        (20, "mistralai/Mistral-7B-Instruct-v0.3", "shell:vllm serve"),
    ]


def test_requirements_files_installing_from_the_hub():
    from aiospo_ci.scan.shell import RequirementsScanner

    data = (b"spacy>=3.7\n# https://huggingface.co/org/commented/resolve/main/x.whl\n"
            b"en_core_web_sm @ https://huggingface.co/spacy/en_core_web_sm/resolve/main/en_core_web_sm-any-py3-none-any.whl\n")
    scanner = RequirementsScanner()
    assert scanner.handles("requirements-dev.txt") and not scanner.handles("notes.txt")
    assert [(r.line, r.id, r.call, r.revision) for r in scanner.scan("requirements.txt", data)] == [
        (3, "spacy/en_core_web_sm", "requirements:pip", "main")]


def test_notebook_shell_lines_with_training_flags():
    data = json.dumps({"cells": [{"cell_type": "code", "source": [
        "!python train.py --model_name_or_path google/flan-t5-base --dataset_name knkarthick/samsum\n",
        "!wget -q https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/pytorch_model.bin\n"]}]}).encode()
    refs = NotebookScanner().scan("n.ipynb", data)
    assert [(r.cell, r.line, r.id, r.kind) for r in refs] == [
        (1, 1, "google/flan-t5-base", "model"), (1, 1, "knkarthick/samsum", "dataset"), (1, 2, "openai/clip-vit-base-patch32", "model")]


def test_dockerfiles_baking_models_into_the_image(tmp_path):
    """The common ways a Dockerfile puts a model in the image: ADD of a Hub or weight URL, and
    `python -c` code that loads it at build time (shell and exec form), read by the Python
    scanner and placed on the RUN line."""
    dockerfile = (
        "FROM python:3.12-slim\n"
        "ADD https://huggingface.co/org/added/resolve/main/model.safetensors /models/\n"
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/w/model.pt /m/\n"
        "ADD requirements.txt /app/\n"
        "RUN pip install sentence-transformers && \\\n"
        '    python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer(\'org/baked\')"\n'
        'RUN ["python3", "-c", "from transformers import AutoModel; AutoModel.from_pretrained(\'org/exec-form\', trust_remote_code=True)"]\n'
        'RUN python -c "$CODE" && python -c "print(1"\n'
    )
    (tmp_path / "Dockerfile").write_text(dockerfile)
    refs = scan_paths(tmp_path, cache_dir=tmp_path / ".cache").references
    assert [(r.line, r.id, r.source, r.call, r.flags) for r in refs] == [
        (2, "org/added", "huggingface", "shell:ADD", ()),
        (3, "https://example.com/w/model.pt", "file", "shell:ADD", ()),
        (5, "org/baked", "huggingface", "sentence_transformers.SentenceTransformer", ()),
        (7, "org/exec-form", "huggingface", "transformers.AutoModel.from_pretrained", ("trust_remote_code",)),
    ]
