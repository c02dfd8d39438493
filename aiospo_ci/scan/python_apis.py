"""The Python calls that name a model or dataset: a table, so a new library is one entry.

Each entry says which call it is (a pattern over the call's qualified name, as the file's imports
make it: ``from transformers import AutoModel as M; M.from_pretrained`` is
``transformers.AutoModel.from_pretrained``), where the id sits among the arguments, and what
kind of reference it makes. The first matching entry wins, so specific entries come before
generic ones. ``markers`` are byte strings of which at least one must occur in a file that uses
the entry: they make the scanner's cheap prefilter.

Patterns are ``fnmatch`` patterns over the dotted qualified name ('*' also crosses dots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# (position, keyword): where one id is passed. Position None: keyword only.
Slot = tuple[int | None, str | None]

# Files passed to these loaders are pickles; the flag is raised when the path looks like a model.
PICKLE_MODEL_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".dill", ".bin", ".pt", ".pth", ".ckpt", ".sav", ".model",
)

# `datasets.load_dataset("csv", data_files=...)`: packaged builders, not Hub repos.
DATASET_BUILDERS = frozenset({
    "csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder",
    "videofolder", "webdataset", "sql", "xml", "generator", "spark", "cache", "folder_based_builder",
    "pdffolder", "niftifolder", "hdf5", "lance", "eval",
})


@dataclass(frozen=True)
class Api:
    pattern: str  # fnmatch over the qualified call name
    slots: tuple[Slot, ...]  # each present slot makes one reference
    kind: str = "model"
    source: str = "huggingface"  # 'api': a hosted model name; 'github': torch.hub
    provider: str | None = None
    revision_kw: str | None = "revision"
    legacy_bare: bool = True  # accept a bare id such as 'gpt2'
    bare_prefix: str | None = None  # 'sentence-transformers/' for bare names
    require_prefix: tuple[str, ...] = ()  # only values starting with one of these ('hf-hub:')
    paths_only: bool = False  # the value is a file path (torch.load), never a Hub id
    pickle_suffix_only: bool = False  # report only paths that look like model pickles
    repo_type_kw: str | None = None  # 'repo_type': 'dataset' makes a dataset reference
    not_hub: frozenset = frozenset()  # values that name something else (dataset builders)
    flags_always: tuple[str, ...] = ()  # flags every use carries (pickle_load)
    torch_load: bool = False  # unsafe_torch_load unless weights_only=True
    detail_kws: tuple[str, ...] = ()  # keywords whose values go into the detail (weight_name, subfolder)
    # A library that maps its own model names to Hub repos (timm, open_clip): a name without a
    # Hub prefix is reported as that registry's (unresolved when the repo cannot be told), and
    # only when `registry_flag` asks for pretrained weights.
    registry: str | None = None
    registry_flag: str | None = None
    provider_suffix: bool = False  # 'org/name:provider' (Inference Providers) names org/name
    # keywords that also take other things (TRL's reward_funcs: functions or model ids): only a
    # value resolved to a string is reported from them
    strings_only: tuple[str, ...] = ()
    markers: tuple[bytes, ...] = field(default=())


def _hosted(pattern: str, provider: str, slots: tuple[Slot, ...] = ((None, "model"),), *markers: bytes) -> Api:
    return Api(pattern, slots, source="api", provider=provider, revision_kw=None, legacy_bare=True,
               markers=markers or (pattern.split(".")[0].encode(),))


_ST = b"sentence_transformers"
_HUB_PREFIXES = ("hf-hub:", "hf_hub:")
# diffusers' adapter and single-file loaders: which file of the repo, and where.
_WEIGHT_KWS = ("weight_name", "subfolder")


def _adapter(pattern: str, slots: tuple[Slot, ...], marker: bytes) -> Api:
    """A diffusers adapter loader: always a namespaced repo (a bare word is a local folder), and
    which file of it goes into the detail."""
    return Api(pattern, slots, legacy_bare=False, detail_kws=_WEIGHT_KWS, markers=(marker,))


APIS: tuple[Api, ...] = (
    # --- transformers -------------------------------------------------------------------------
    Api("transformers.pipeline", ((1, "model"), (None, "tokenizer")), markers=(b"pipeline",)),
    Api("transformers.pipelines.pipeline", ((1, "model"), (None, "tokenizer")), markers=(b"pipeline",)),
    # --- peft: the adapter is the second argument of PeftModel.from_pretrained ------------------
    Api("peft.PeftModel.from_pretrained", ((1, "model_id"),), markers=(b"from_pretrained",)),
    Api("peft.PeftModelFor*.from_pretrained", ((1, "model_id"),), markers=(b"from_pretrained",)),
    # --- unsloth, llama-cpp-python, fastai and Keras through huggingface_hub ---------------------
    Api("unsloth.*.from_pretrained", ((0, "model_name"),), markers=(b"from_pretrained",)),
    Api("llama_cpp.Llama.from_pretrained", ((0, "repo_id"),), revision_kw=None, detail_kws=("filename",),
        markers=(b"from_pretrained",)),
    Api("huggingface_hub.from_pretrained_fastai", ((0, "repo_id"),), markers=(b"from_pretrained_",)),
    Api("huggingface_hub.from_pretrained_keras", ((0, "pretrained_model_name_or_path"),), markers=(b"from_pretrained_",)),
    # --- LangChain / LlamaIndex -------------------------------------------------------------
    Api("*.HuggingFacePipeline.from_model_id", ((None, "model_id"),), markers=(b"HuggingFace",)),
    # --- diffusers: single files, adapters; transformers and PEFT adapters ------------------------
    Api("*.from_single_file", ((0, "pretrained_model_link_or_path"), (None, "pretrained_model_link_or_path_or_dict"),
                               (None, "config")), detail_kws=_WEIGHT_KWS, markers=(b"from_single_file",)),
    _adapter("*.load_lora_weights", ((0, "pretrained_model_name_or_path_or_dict"),), b"load_lora_weights"),
    _adapter("*.load_lora_adapter", ((0, "pretrained_model_name_or_path_or_dict"),), b"load_lora_adapter"),
    _adapter("*.load_ip_adapter", ((0, "pretrained_model_name_or_path_or_dict"), (None, "image_encoder_pretrained_model_name_or_path")),
             b"load_ip_adapter"),
    _adapter("*.load_textual_inversion", ((0, "pretrained_model_name_or_path"),), b"load_textual_inversion"),
    _adapter("*.load_attn_procs", ((0, "pretrained_model_name_or_path_or_dict"),), b"load_attn_procs"),
    Api("*.load_adapter", ((0, "peft_model_id"), (None, "model_id")), legacy_bare=False, markers=(b"load_adapter",)),
    # --- keras_hub / keras_nlp presets: only 'hf://org/name' presets are Hub repos ----------------
    Api("*.from_preset", ((0, "preset"),), require_prefix=("hf://",), markers=(b"from_preset",)),
    # --- every other library's from_pretrained (transformers, diffusers, PEFT, optimum, setfit,
    #     gliner, span_marker, ctransformers, ...) -------------------------------------------------
    Api("*.from_pretrained", ((0, "pretrained_model_name_or_path"),), markers=(b"from_pretrained",)),
    # --- sentence-transformers: the model classes (a bare name gets the class's organisation, as
    #     the library does), the modules, and user subclasses (python.py follows class bases) ------
    Api("sentence_transformers.*SentenceTransformer", ((0, "model_name_or_path"),),
        bare_prefix="sentence-transformers/", markers=(b"SentenceTransformer",)),
    Api("sentence_transformers.*CrossEncoder", ((0, "model_name_or_path"), (None, "model_name")),
        bare_prefix="cross-encoder/", markers=(b"CrossEncoder",)),
    Api("sentence_transformers.*SparseEncoder", ((0, "model_name_or_path"),), bare_prefix="sparse-encoder/",
        markers=(b"SparseEncoder",)),
    Api("sentence_transformers.*MultiVectorEncoder", ((0, "model_name_or_path"),), markers=(b"MultiVectorEncoder",)),
    Api("sentence_transformers.*.Transformer", ((0, "model_name_or_path"), (None, "tokenizer_name_or_path")),
        markers=(b"Transformer",)),
    Api("sentence_transformers.*.MLMTransformer", ((0, "model_name_or_path"), (None, "tokenizer_name_or_path")),
        markers=(b"Transformer",)),
    Api("sentence_transformers.*.CLIPModel", ((0, "model_name_or_path"), (None, "model_name")), markers=(b"CLIPModel",)),
    Api("sentence_transformers.*.from_model2vec", ((0, "model_id_or_path"),), markers=(b"from_model2vec",)),
    Api("sentence_transformers.*.from_distillation", ((0, "model_name"),), markers=(b"from_distillation",)),
    # --- huggingface_hub ----------------------------------------------------------------------
    Api("huggingface_hub.hf_hub_download", ((0, "repo_id"),), repo_type_kw="repo_type", markers=(b"_download",)),
    Api("huggingface_hub.snapshot_download", ((0, "repo_id"),), repo_type_kw="repo_type", markers=(b"_download",)),
    Api("huggingface_hub.file_download.hf_hub_download", ((0, "repo_id"),), repo_type_kw="repo_type",
        markers=(b"_download",)),
    Api("huggingface_hub.hf_hub_url", ((0, "repo_id"),), repo_type_kw="repo_type", markers=(b"hf_hub_url",)),
    Api("huggingface_hub.HfApi.model_info", ((0, "repo_id"),), markers=(b"model_info",)),
    Api("huggingface_hub.HfApi.dataset_info", ((0, "repo_id"),), kind="dataset", markers=(b"dataset_info",)),
    Api("huggingface_hub.model_info", ((0, "repo_id"),), markers=(b"model_info",)),
    Api("huggingface_hub.dataset_info", ((0, "repo_id"),), kind="dataset", markers=(b"dataset_info",)),
    Api("huggingface_hub.InferenceClient", ((0, "model"),), revision_kw=None, provider_suffix=True, markers=(b"InferenceClient",)),
    Api("huggingface_hub.AsyncInferenceClient", ((0, "model"),), revision_kw=None, provider_suffix=True,
        markers=(b"InferenceClient",)),
    Api("huggingface_hub.*InferenceClient.*", ((None, "model"),), revision_kw=None, provider_suffix=True,
        markers=(b"InferenceClient",)),
    # --- timm / open_clip: 'hf-hub:org/name' is a Hub repo; a registry name with pretrained
    #     weights is the library's own mapping (timm: 'timm/<name>.<tag>') -------------------------
    Api("timm.create_model", ((0, "model_name"),), require_prefix=_HUB_PREFIXES, registry="timm", registry_flag="pretrained",
        markers=(b"create_model",)),
    Api("open_clip.*", ((0, "model_name"),), require_prefix=_HUB_PREFIXES, registry="open_clip", registry_flag="pretrained",
        detail_kws=("pretrained",), markers=(b"hf-hub:", b"hf_hub:", b"pretrained")),
    # --- optimum's pipeline, evaluate's metrics (their own kind, not models) ----------------------
    Api("optimum.pipelines.pipeline", ((1, "model"), (None, "tokenizer")), markers=(b"pipeline",)),
    Api("evaluate.load", ((0, "path"),), kind="metric", markers=(b"load(",)),
    Api("datasets.load_metric", ((0, "path"),), kind="metric", markers=(b"load_metric",)),
    # --- vLLM, mlx-lm -------------------------------------------------------------------------
    Api("vllm.LLM", ((0, "model"), (None, "tokenizer")), markers=(b"vllm",)),
    Api("vllm.entrypoints.llm.LLM", ((0, "model"), (None, "tokenizer")), markers=(b"vllm",)),
    # TensorRT-LLM's and SGLang's offline engines, and FastEmbed's models: Hub ids by default
    Api("tensorrt_llm.LLM", ((0, "model"), (None, "tokenizer")), markers=(b"tensorrt_llm",)),
    Api("tensorrt_llm.llmapi.LLM", ((0, "model"), (None, "tokenizer")), markers=(b"tensorrt_llm",)),
    Api("sglang.Engine", ((None, "model_path"), (None, "tokenizer_path")), revision_kw="revision", markers=(b"sglang",)),
    Api("fastembed.*Embedding", ((0, "model_name"),), revision_kw=None, markers=(b"fastembed",)),
    Api("fastembed.*CrossEncoder", ((0, "model_name"),), revision_kw=None, markers=(b"fastembed",)),
    Api("mlx_lm.load", ((0, "path_or_hf_repo"),), revision_kw=None, markers=(b"mlx_lm",)),
    Api("mlx_lm.utils.load", ((0, "path_or_hf_repo"),), revision_kw=None, markers=(b"mlx_lm",)),
    Api("mlx_lm.utils.sharded_load", ((0, "repo"),), revision_kw=None, markers=(b"mlx_lm",)),
    Api("mlx_lm.sharded_load", ((0, "repo"),), revision_kw=None, markers=(b"mlx_lm",)),
    # --- TRL: the trainers load a model given as an id (documented: `model` may be the id of a
    #     pretrained model on the Hub), likewise ref, teacher and reward models ---------------------
    Api("trl.*Trainer", ((0, "model"), (None, "ref_model"), (None, "teacher_model"), (None, "reward_model"),
                         (None, "reward_funcs")), strings_only=("reward_funcs",), markers=(b"Trainer(",)),
    # --- LangChain / LlamaIndex wrappers ------------------------------------------------------
    Api("*.HuggingFaceEmbeddings", ((None, "model_name"), (None, "model")), revision_kw=None,
        markers=(b"HuggingFace",)),
    Api("*.HuggingFaceEmbedding", ((None, "model_name"),), revision_kw=None, markers=(b"HuggingFace",)),
    Api("*.HuggingFaceEndpoint", ((None, "repo_id"),), revision_kw=None, markers=(b"HuggingFace",)),
    Api("*.HuggingFaceEndpointEmbeddings", ((None, "model"), (None, "repo_id")), revision_kw=None,
        markers=(b"HuggingFace",)),
    Api("*.HuggingFaceLLM", ((None, "model_name"), (None, "tokenizer_name")), revision_kw=None,
        markers=(b"HuggingFace",)),
    # --- datasets -----------------------------------------------------------------------------
    Api("datasets.load_dataset", ((0, "path"),), kind="dataset", not_hub=DATASET_BUILDERS,
        markers=(b"load_dataset",)),
    Api("datasets.load_dataset_builder", ((0, "path"),), kind="dataset", not_hub=DATASET_BUILDERS,
        markers=(b"load_dataset",)),
    # --- torch: hub (GitHub code, run on load) and unsafe loads -------------------------------
    # torch.hub.load fetches a GitHub repo and runs its hubconf.py: remote code by design.
    Api("torch.hub.load", ((0, "repo_or_dir"),), source="github", provider="github", revision_kw=None,
        flags_always=("trust_remote_code",), markers=(b"torch.hub", b"hub.load")),
    Api("torch.load", ((0, "f"),), paths_only=True, revision_kw=None, torch_load=True,
        markers=(b"torch.load", b"import load")),
    Api("mlx.core.load", ((0, "file"),), paths_only=True, revision_kw=None, markers=(b"load(",)),
    Api("pickle.load", ((0, "file"),), paths_only=True, pickle_suffix_only=True, revision_kw=None,
        flags_always=("pickle_load",), markers=(b"pickle",)),
    Api("_pickle.load", ((0, "file"),), paths_only=True, pickle_suffix_only=True, revision_kw=None,
        flags_always=("pickle_load",), markers=(b"pickle",)),
    Api("cloudpickle.load", ((0, "file"),), paths_only=True, pickle_suffix_only=True, revision_kw=None,
        flags_always=("pickle_load",), markers=(b"pickle",)),
    Api("dill.load", ((0, "file"),), paths_only=True, pickle_suffix_only=True, revision_kw=None,
        flags_always=("pickle_load",), markers=(b"dill",)),
    Api("joblib.load", ((0, "filename"),), paths_only=True, pickle_suffix_only=True, revision_kw=None,
        flags_always=("pickle_load",), markers=(b"joblib",)),
    Api("pandas.read_pickle", ((0, "filepath_or_buffer"),), paths_only=True, pickle_suffix_only=True,
        revision_kw=None, flags_always=("pickle_load",), markers=(b"read_pickle",)),
    # --- hosted API models: model="..." on the provider's client calls -------------------------
    _hosted("openai.*", "openai"),
    _hosted("langchain_openai.*", "openai", ((None, "model"), (None, "model_name")), b"langchain_openai"),
    _hosted("anthropic.*", "anthropic"),
    _hosted("langchain_anthropic.*", "anthropic", ((None, "model"), (None, "model_name")), b"langchain_anthropic"),
    _hosted("google.generativeai.GenerativeModel", "google", ((0, "model_name"),), b"generativeai"),
    _hosted("google.genai.*", "google", ((None, "model"),), b"genai"),
    _hosted("vertexai.*GenerativeModel", "google-vertex", ((0, "model_name"),), b"vertexai"),
    _hosted("vertexai.*", "google-vertex", ((None, "model"),), b"vertexai"),
    _hosted("mistralai.*", "mistral", ((None, "model"),), b"mistralai"),
    _hosted("cohere.*", "cohere", ((None, "model"),), b"cohere"),
    _hosted("boto3.*", "bedrock", ((None, "modelId"),), b"modelId"),
    _hosted("litellm.completion", "litellm", ((0, "model"),), b"litellm"),
    _hosted("litellm.acompletion", "litellm", ((0, "model"),), b"litellm"),
    _hosted("litellm.embedding", "litellm", ((0, "model"),), b"litellm"),
    _hosted("litellm.*", "litellm", ((None, "model"),), b"litellm"),
)

# -- the prefilter -----------------------------------------------------------------------------
# A file can hold a table call only if it (a) calls a generic loader method or names a Hub URL,
# or (b) imports one of these modules, and then also holds the gate string when one is given
# (torch is imported everywhere, but only a file with `load(` can call torch.load).
_FROM_METHODS = (b"from_pretrained", b"from_single_file", b"from_model_id", b"from_preset", b"from_model2vec")
# Loader methods called on an object a file may get from elsewhere (a pipeline passed in).
_BODY_MARKERS = (b"load_lora", b"load_ip_adapter", b"load_textual_inversion", b"load_attn_procs", b"load_adapter(",
                 b"huggingface.co")
_HF_PREFIXES = (b"hf://", b"hf-hub:")  # found by one search for b"hf"
IMPORT_GATES: dict[str, tuple[bytes, ...] | None] = {
    "transformers": None, "diffusers": None, "peft": None, "unsloth": None, "llama_cpp": None,
    "sentence_transformers": None, "huggingface_hub": None, "vllm": None, "mlx_lm": None,
    "tensorrt_llm": None, "sglang": None, "fastembed": None,
    "timm": (b"create_model",), "open_clip": None, "datasets": (b"load_dataset", b"load_metric"),
    "evaluate": (b"load(",), "optimum": None, "trl": (b"Trainer(",), "mlx": (b"load(",),
    "torch": (b"load(",), "pickle": (b"load(",), "_pickle": (b"load(",), "cloudpickle": (b"load(",),
    "dill": (b"load(",), "joblib": (b"load(",), "pandas": (b"read_pickle",),
    "langchain": (b"HuggingFace",), "langchain_community": (b"HuggingFace",), "langchain_huggingface": None,
    "llama_index": (b"HuggingFace",),
    "openai": None, "langchain_openai": None, "anthropic": None, "langchain_anthropic": None,
    "google": (b"genai", b"generativeai"), "vertexai": None, "mistralai": None, "cohere": None,
    "boto3": (b"modelId",), "litellm": None,
}
_IMPORT_LINE = re.compile(rb"[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([^#;]*))")


def _gate_open(root: str, data: bytes) -> bool:
    gate = IMPORT_GATES[root]
    return gate is None or any(g in data for g in gate)


def may_reference(data: bytes, loose: bool = False) -> bool:
    """The cheap byte-level prefilter: False means no table call can be in this source.
    `loose` (notebooks, whose lines sit inside JSON strings) looks for module names anywhere."""
    i = data.find(b"from_")
    while i >= 0:
        if data.startswith(_FROM_METHODS, i):
            return True
        i = data.find(b"from_", i + 5)
    if any(m in data for m in _BODY_MARKERS):
        return True
    i = data.find(b"hf")
    while i >= 0:
        if data.startswith(_HF_PREFIXES, i):
            return True
        i = data.find(b"hf", i + 2)
    if loose:
        return any(root.encode() in data and _gate_open(root, data) for root in IMPORT_GATES)
    i = data.find(b"import")
    while i >= 0:
        start = data.rfind(b"\n", 0, i) + 1
        end = data.find(b"\n", i)
        end = len(data) if end < 0 else end
        m = _IMPORT_LINE.match(data, start, end)
        if m:
            names = [m.group(1)] if m.group(1) else m.group(2).replace(b"(", b" ").split(b",")
            for name in names:
                root = name.strip().split(b" ")[0].split(b".")[0].decode("ascii", "replace")
                if root in IMPORT_GATES and _gate_open(root, data):
                    return True
        i = data.find(b"import", end)
    return False


def _markers_of(api: Api) -> set[bytes]:
    last = api.pattern.rsplit(".", 1)[-1]
    if "*" not in last:
        return {last.encode() + b"("}  # the call's own first line holds its name and the bracket
    tail = last.replace("*", "")
    if len(tail) >= 4:
        return {tail.encode() + b"("}
    # 'openai.*': any method; the id comes as a keyword, `model=` on its own line; a registry's
    # calls (open_clip's) are found by their own markers ('pretrained')
    return {kw.encode() + b"=" for _, kw in api.slots if kw is not None} | (set(api.markers) if api.registry else set())


def _minimal(markers: set[bytes]) -> tuple[bytes, ...]:
    """Drop markers that contain another: the shorter one already finds those lines."""
    kept: list[bytes] = []
    for m in sorted(markers, key=lambda m: (len(m), m)):
        if not any(k in m for k in kept):
            kept.append(m)
    return tuple(kept)


def call_markers_by_module() -> dict[str, tuple[bytes, ...]]:
    """Strings one of which sits on every line a table call can start or name its id on, keyed
    by the module a file must mention for them to matter ('*': always): `completion(` counts
    only in a file that mentions litellm. The analysis looks only into statements holding one."""
    found: dict[str, set[bytes]] = {"*": {b"add_argument", b"hf://", b"hf-hub:", b"hf_hub:"}}
    for api in APIS:
        root = api.pattern.split(".", 1)[0]
        found.setdefault("*" if "*" in root else root, set()).update(_markers_of(api))
    return {root: _minimal(markers) for root, markers in found.items()}


def call_markers() -> tuple[bytes, ...]:
    """Every call-site marker, whatever the file mentions."""
    return _minimal({m for markers in call_markers_by_module().values() for m in markers})


# Libraries whose table entries are classes (`SentenceTransformer(...)`, `PeftModel.from_pretrained`),
# with those class names: a file importing one may subclass it and call the subclass with no
# marker on the line.
def _class_names() -> dict[bytes, tuple[bytes, ...]]:
    out: dict[bytes, set[bytes]] = {}
    for api in APIS:
        root, *rest = api.pattern.split(".")
        names = {seg.strip("*").encode() for seg in rest if seg.lstrip("*")[:1].isupper()}
        if "*" not in root and names:
            out.setdefault(root.encode(), set()).update(n for n in names if n)
    return {root: tuple(sorted(names)) for root, names in out.items()}


CLASS_NAMES = _class_names()


_NAMES_OF = {root: re.compile(b"|".join(names)) for root, names in CLASS_NAMES.items()}


def may_subclass(data: bytes, imported: set[bytes]) -> bool:
    """Whether the file imports a table library (`imported`: its top-level imports) and names
    one of its classes: it may subclass it."""
    if b"class " not in data:
        return False
    return any(_NAMES_OF[root].search(data) for root in imported if root in _NAMES_OF)


class ApiIndex:
    """Finds the table entry for a qualified call name without trying every pattern: entries
    are indexed by their last segment and by their first one (for 'openai.*')."""

    def __init__(self, apis: tuple[Api, ...] = APIS):
        from fnmatch import fnmatchcase

        self._match = fnmatchcase
        self._by_last: dict[str, list[tuple[int, Api]]] = {}
        self._by_root: dict[str, list[tuple[int, Api]]] = {}
        self._wild_last: list[tuple[int, Api]] = []
        # 'peft.PeftModel' of 'peft.PeftModel.from_pretrained': the classes whose methods are listed
        self._owners = sorted({api.pattern.rsplit(".", 1)[0] for api in apis if api.pattern.count(".") >= 2
                               and not api.pattern.startswith("*")})
        for i, api in enumerate(apis):
            root, last = api.pattern.split(".")[0], api.pattern.rsplit(".", 1)[-1]
            if "*" not in last:
                self._by_last.setdefault(last, []).append((i, api))
            elif "*" not in root:
                self._by_root.setdefault(root, []).append((i, api))
            else:
                self._wild_last.append((i, api))

    def names_class(self, qualname: str) -> bool:
        """Whether a qualified name is a class of the table (`sentence_transformers.
        SentenceTransformer`, `peft.PeftModel` of `peft.PeftModel.from_pretrained`), not a pattern
        that matches any name."""
        api = self.find(qualname)
        if api is not None and not api.pattern.startswith("*"):
            return True
        return any(self._match(qualname, owner) for owner in self._owners)

    def find(self, qualname: str) -> Api | None:
        last = qualname.rsplit(".", 1)[-1]
        root = qualname.split(".", 1)[0]
        candidates = self._by_last.get(last, []) + self._by_root.get(root, [])
        if not candidates:
            return None
        for _, api in sorted(candidates, key=lambda c: c[0]):
            if self._match(qualname, api.pattern):
                return api
        return None
