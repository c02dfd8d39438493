"""Size and precision from the Hub's safetensors metadata, through the real client and the local
Hub: the fixtures hold `safetensors` exactly as the Hub answers it ({"parameters": {dtype: n},
"total": n}), and a model without it gets null, never a guess."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aiospo_ci.hub import extract
from aiospo_ci.hub.enrich import enrich
from aiospo_ci.model import HubFacts
from tests.hub.helpers import TODAY, ref


@pytest.mark.parametrize(
    "repo, count, types",
    [
        ("meta-llama/Llama-3.1-8B-Instruct", 8030261248, ("BF16",)),
        ("microsoft/phi-2", 2779683840, ("F16",)),
        ("sentence-transformers/all-MiniLM-L6-v2", 22713728, ("F32", "I64")),  # two dtypes, sorted
        ("facebook/nllb-200-distilled-600M", None, None),  # the Hub gives no safetensors metadata
    ],
)
def test_parameter_count_and_tensor_types(hub_server, repo, count, types) -> None:
    (facts,) = enrich([ref(repo)], hub_server.hub_settings(), TODAY).facts
    assert facts.status == "ok"
    assert (facts.parameter_count, facts.tensor_types) == (count, types)
    assert facts.to_dict()["tensor_types"] == (list(types) if types else None)


def test_the_new_facts_survive_the_cache_and_old_entries_read_as_unknown() -> None:
    facts = HubFacts(id="org/m", parameter_count=7, tensor_types=("BF16",))
    assert HubFacts.from_dict(facts.to_dict()) == facts
    old = {k: v for k, v in facts.to_dict().items() if k not in ("parameter_count", "tensor_types")}
    assert (HubFacts.from_dict(old).parameter_count, HubFacts.from_dict(old).tensor_types) == (None, None)


@pytest.mark.parametrize(
    "summary, expected",
    [
        (None, (None, None)),
        ({"parameters": {}, "total": 0}, (0, None)),
        ({"parameters": {"F32": 3}, "total": "3"}, (None, ("F32",))),  # a total that is not a count is not trusted
        (SimpleNamespace(parameters={"I8": 2, "BF16": 1}, total=3), (3, ("BF16", "I8"))),  # huggingface_hub's SafeTensorsInfo
    ],
)
def test_odd_summaries(summary, expected) -> None:
    assert extract.safetensors_size(SimpleNamespace(safetensors=summary)) == expected
