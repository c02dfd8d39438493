"""Model cards are written by anyone: whatever shape their metadata takes, the facts stay well-typed."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aiospo_ci.hub import extract

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
card_keys = st.sampled_from(["license", "license_name", "license_link", "base_model", "datasets", "tags", "model-index", "eval_results", "language"])
cards = st.dictionaries(card_keys, values, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(card=cards, tags=st.lists(st.text(max_size=30), max_size=5), base=values, config=values,
       files=st.lists(st.text(min_size=1, max_size=30), max_size=6), security=values)
def test_any_card_gives_well_typed_facts(card, tags, base, config, files, security) -> None:
    from huggingface_hub.hf_api import ModelInfo

    try:
        info = ModelInfo(id="org/name", cardData=card, tags=tags, baseModels=base, config=config,
                         siblings=[{"rfilename": f} for f in files], securityRepoStatus=security)
    except (TypeError, ValueError, AttributeError):
        # huggingface_hub itself rejects this answer (e.g. card tags: false) before our code
        # sees it; the client turns that into an 'error' fact (test_hub_faults, malformed bodies).
        assume(False)
    fields = extract.model_fields(info)
    for name in ("license", "license_name", "license_link", "security_status"):
        assert fields[name] is None or isinstance(fields[name], str)
    for name in ("base_models", "datasets", "files"):
        assert isinstance(fields[name], tuple) and all(isinstance(x, str) for x in fields[name])
        assert list(fields[name]) == sorted(set(fields[name]))
    assert "org/name" not in fields["base_models"]
    for name in ("has_safetensors", "has_pickle", "has_gguf", "has_onnx", "has_custom_code", "card_present"):
        assert isinstance(fields[name], bool)


def test_revision_shapes() -> None:
    assert [extract.revision_shape(r) for r in (None, "a" * 40, "refs/pr/12", "abc1234", "abc123", "main", "v1.0", "A" * 40)] == [
        "none", "commit", "pr", "short_sha", None, None, None, None]


def test_iso_and_days() -> None:
    import datetime as dt

    assert extract.iso("2024-02-19T11:06:12.000Z") == "2024-02-19T11:06:12Z"
    assert extract.iso(dt.datetime(2024, 2, 19, 12, 6, 12, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == "2024-02-19T11:06:12Z"
    assert extract.days_between("2024-02-19T11:06:12Z", dt.date(2024, 3, 1)) == 11
    assert extract.days_between("not a date", dt.date(2024, 3, 1)) is None and extract.days_between(None, dt.date(2024, 3, 1)) is None
