"""A synthetic organisation for the organisation-inventory tests and benchmarks/org_benchmark.py:
repositories whose inventories use models from a shared catalogue (a few popular, many rare),
under the licenses the Hub really uses, with CODEOWNERS teams, API models, local paths and
models the Hub could not be asked about. `hostile=True` adds names written to break an HTML page.

Everything is derived from a seeded random generator, so the same arguments give the same BOMs.
"""

from __future__ import annotations

import random
from pathlib import Path

from aiospo_ci.codeowners import CodeOwners
from aiospo_ci.inventory import Inventory, build_inventory
from aiospo_ci.model import HubFacts, ModelReference

# (id, license, license_name, task) as the Hub gives them.
CATALOGUE = [
    ("google-bert/bert-base-uncased", "apache-2.0", None, "fill-mask"),
    ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0", None, "sentence-similarity"),
    ("openai/whisper-small", "apache-2.0", None, "automatic-speech-recognition"),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1", None, "text-generation"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "apache-2.0", None, "text-generation"),
    ("facebook/nllb-200-distilled-600M", "cc-by-nc-4.0", None, "translation"),
    ("google/gemma-2-9b-it", "gemma", None, "text-generation"),
    ("stabilityai/stable-diffusion-xl-base-1.0", "openrail++", None, "text-to-image"),
    ("microsoft/phi-2", "mit", None, "text-generation"),
    ("FacebookAI/roberta-base", "mit", None, "fill-mask"),
    ("mistralai/Codestral-22B-v0.1", "other", "mnpl", "text-generation"),
    ("bigscience/bloom-560m", "bigscience-bloom-rail-1.0", None, "text-generation"),
    ("EleutherAI/gpt-j-6b", "apache-2.0", None, "text-generation"),
    ("Salesforce/blip-image-captioning-base", "bsd-3-clause", None, "image-to-text"),
    ("deepset/roberta-base-squad2", "cc-by-4.0", None, "question-answering"),
    ("facebook/bart-large-cnn", "mit", None, "summarization"),
    ("nvidia/segformer-b0-finetuned-ade-512-512", "other", None, "image-segmentation"),
    ("TheBloke/Llama-2-7B-GGUF", "llama2", None, "text-generation"),
    ("coqui/XTTS-v2", "other", "coqui-public-model-license", "text-to-speech"),
    ("dslim/bert-base-NER", "mit", None, "token-classification"),
    ("BAAI/bge-large-en-v1.5", "mit", None, "feature-extraction"),
    ("tiiuae/falcon-7b", "apache-2.0", None, "text-generation"),
    ("gpl-models/tagger", "gpl-3.0", None, "token-classification"),
    ("lgpl-models/parser", "lgpl-3.0", None, "token-classification"),
    ("research-lab/unreleased-model", None, None, None),
]
DATASETS = [("stanfordnlp/imdb", "other"), ("rajpurkar/squad", "cc-by-sa-4.0"), ("openslr/librispeech_asr", "cc-by-4.0")]
API_MODELS = [("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4-5"), ("openai", "text-embedding-3-small")]
TEAMS = ["@acme/search", "@acme/platform", "@acme/ml-research", "@acme/support-bot", "@acme/data", "@acme/mobile", "@alice", "@bob"]
HOSTILE_MODEL = 'evil-org/<img src=x onerror="document.title=\'pwned\'">'
HOSTILE_REPOSITORY = "acme/<script>document.title='pwned'</script>"
HOSTILE_OWNER = "@x\"><svg/onload=document.title='pwned'>"

#: An organisation's configuration for the page: three deprecations, one retired, one close.
def org_config(today: str = "2026-11-26") -> dict:
    import datetime as dt

    day = dt.date.fromisoformat(today)
    return {
        "deprecations": [
            {"id": "microsoft/phi-2", "sunset": (day - dt.timedelta(days=30)).isoformat(), "replacement": "microsoft/phi-4", "reason": "superseded"},
            {"id": "EleutherAI/gpt-j-6b", "sunset": (day + dt.timedelta(days=21)).isoformat(), "replacement": "mistralai/Mistral-7B-Instruct-v0.3"},
            {"id": "bigscience/*", "sunset": (day + dt.timedelta(days=200)).isoformat(), "replacement": "an apache-2.0 model"},
        ]
    }


def _sha(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(40))


def _facts(rng: random.Random, ident: str, license_: str | None, name: str | None, task: str | None, shas: dict[str, str]) -> HubFacts:
    sha = shas.setdefault(ident, _sha(rng))
    return HubFacts(id=ident, sha=sha, resolved_commit=sha, license=license_, license_name=name, pipeline_tag=task, gated="false", origin="lockfile")


def repository(index: int, *, seed: int = 7, hostile: bool = False, root: Path = Path("/nonexistent")) -> Inventory:
    """One repository's inventory; repository 0 of a hostile organisation carries the hostile names."""
    name, refs, facts, codeowners = repository_references(index, seed=seed, hostile=hostile)
    return build_inventory(refs, facts, CodeOwners.parse(codeowners, ".github/CODEOWNERS"), root, root_name=name)


def repository_references(index: int, *, seed: int = 7, hostile: bool = False) -> tuple[str, list[ModelReference], list[HubFacts | None], str]:
    """(name, references, facts per reference, CODEOWNERS text) of one repository, as a scan and
    the Hub stage would give them."""
    rng = random.Random(seed * 100_003 + index)
    shas: dict[str, str] = {}
    refs: list[ModelReference] = []
    facts: list[HubFacts | None] = []
    folders = ["src", "services/api", "training", "notebooks", "scripts"]
    for n in range(rng.randint(2, 14)):
        file = f"{rng.choice(folders)}/module_{n}.py"
        roll = rng.random()
        if roll < 0.78:
            # Zipf-like: the first models of the catalogue are used far more often.
            pick = min(int(rng.paretovariate(1.1)) - 1, len(CATALOGUE) - 1)
            ident, license_, name, task = CATALOGUE[pick]
            pinned = rng.random() < 0.5
            fact = _facts(rng, ident, license_, name, task, shas)
            if rng.random() < 0.04:
                fact = HubFacts(id=ident, status="unknown", origin="none", error="offline and not in the cache or lockfile")
            refs.append(ModelReference(file=file, line=rng.randint(1, 400), id=ident, call="transformers.AutoModel.from_pretrained",
                                       revision=fact.sha if pinned else None, pin="commit" if pinned else "none"))
            facts.append(fact)
        elif roll < 0.86:
            ident, license_ = rng.choice(DATASETS)
            refs.append(ModelReference(file=file, line=rng.randint(1, 400), id=ident, kind="dataset", call="datasets.load_dataset"))
            facts.append(_facts(rng, ident, license_, None, None, shas))
        elif roll < 0.95:
            provider, ident = rng.choice(API_MODELS)
            refs.append(ModelReference(file=file, line=rng.randint(1, 400), id=ident, source="api", provider=provider, call=f"{provider}.chat.completions.create"))
            facts.append(None)
        else:
            refs.append(ModelReference(file=file, line=rng.randint(1, 400), id="./checkpoints/finetuned", source="local", call="transformers.AutoModel.from_pretrained"))
            facts.append(None)
    owners = rng.sample(TEAMS, 2)
    codeowners = f"* {owners[0]}\n/training/ {owners[1]}\n/notebooks/ {owners[1]} @alice\n"
    name = f"acme/service-{index:03d}"
    if hostile and index == 0:
        name = HOSTILE_REPOSITORY
        codeowners = f"* {HOSTILE_OWNER}\n"
        refs.append(ModelReference(file="src/<b>bold</b>.py", line=1, id=HOSTILE_MODEL, call="transformers.pipeline"))
        facts.append(HubFacts(id=HOSTILE_MODEL, license="<i>mit</i>", license_name=None, pipeline_tag="<script>x</script>"))
    return name, refs, facts, codeowners


def write_boms(folder: Path, count: int, *, seed: int = 7, hostile: bool = False) -> list[Path]:
    """`count` repositories' CycloneDX BOMs, as `aiospo-ci inventory --repository` writes them."""
    from aiospo_ci.report.cyclonedx import render_cyclonedx

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"repo-{index:03d}.cdx.json"
        path.write_text(render_cyclonedx(repository(index, seed=seed, hostile=hostile)), encoding="utf-8")
        paths.append(path)
    return paths
