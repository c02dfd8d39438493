"""The loaders people use (issue 14 §2), each with the call shapes of its library's own
documentation: what is reported, with which id, kind, source and detail."""

from __future__ import annotations

import json
import textwrap

from aiospo_ci.scan.javascript import JavaScriptScanner
from aiospo_ci.scan.python import PythonScanner


def refs(src: str):
    found = PythonScanner().scan("app.py", textwrap.dedent(src).encode())
    return [(r.line, r.id, r.kind, r.source, r.call, r.revision, dict(r.detail)) for r in found]


def ids(src: str):
    return [(r[1], r[3]) for r in refs(src)]


# -- diffusers: adapters and single files -----------------------------------------------------

def test_diffusers_adapters_with_weight_name_and_subfolder():
    got = refs("""
        import torch
        from diffusers import AutoPipelineForText2Image
        pipeline = AutoPipelineForText2Image.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0", torch_dtype=torch.float16)
        pipeline.load_lora_weights("ostris/super-cereal-sdxl-lora", weight_name="cereal_box_sdxl_v1.safetensors", adapter_name="cereal")
        pipeline.load_ip_adapter("h94/IP-Adapter", subfolder="sdxl_models", weight_name="ip-adapter_sdxl.bin")
        pipeline.load_textual_inversion("sd-concepts-library/gta5-artwork")
        pipeline.unet.load_attn_procs("jbilcke-hf/sdxl-cinematic-1", weight_name="pytorch_custom_diffusion_weights.bin")
        pipeline.transformer.load_lora_adapter("alvdansen/frosting_lane_flux", weight_name="flux_dev_frostinglane_araminta_k.safetensors", prefix="transformer")
    """)
    assert [(line, ident, call.rsplit(".", 1)[-1], detail) for line, ident, _, _, call, _, detail in got] == [
        (4, "stabilityai/stable-diffusion-xl-base-1.0", "from_pretrained", {}),
        (5, "ostris/super-cereal-sdxl-lora", "load_lora_weights", {"weight_name": "cereal_box_sdxl_v1.safetensors"}),
        (6, "h94/IP-Adapter", "load_ip_adapter", {"subfolder": "sdxl_models", "weight_name": "ip-adapter_sdxl.bin"}),
        (7, "sd-concepts-library/gta5-artwork", "load_textual_inversion", {}),
        (8, "jbilcke-hf/sdxl-cinematic-1", "load_attn_procs", {"weight_name": "pytorch_custom_diffusion_weights.bin"}),
        (9, "alvdansen/frosting_lane_flux", "load_lora_adapter", {"weight_name": "flux_dev_frostinglane_araminta_k.safetensors"}),
    ]


def test_lists_of_adapters_are_one_reference_each_and_revision_is_read():
    got = refs("""
        from diffusers import DiffusionPipeline
        pipe = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")
        pipe.load_ip_adapter(["h94/IP-Adapter", "ozzygt/sdxl-ip-adapter"], subfolder=["sdxl_models", "models"],
                             weight_name=["ip-adapter_sdxl.bin", "ip-adapter.bin"])
        pipe.load_lora_weights("nerijs/pixel-art-xl", revision="4b1a2c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b")
        pipe.load_lora_weights("./my_lora_dir")
        pipe.load_lora_weights(state_dict)
    """)
    assert [(ident, source, revision) for _, ident, _, source, _, revision, _ in got] == [
        ("stabilityai/stable-diffusion-xl-base-1.0", "huggingface", None),
        ("h94/IP-Adapter", "huggingface", None), ("ozzygt/sdxl-ip-adapter", "huggingface", None),
        ("nerijs/pixel-art-xl", "huggingface", "4b1a2c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b"),
        ("./my_lora_dir", "local", None), ("state_dict", "unresolved", None),
    ]
    assert got[1][6] == {"subfolder": "<['sdxl_models', 'models']>", "weight_name": "<['ip-adapter_sdxl.bin', 'ip-adapter.bin']>"}


def test_from_single_file_urls_and_its_config_repository():
    got = refs("""
        from diffusers import StableDiffusionXLPipeline, FluxTransformer2DModel
        pipe = StableDiffusionXLPipeline.from_single_file(
            "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/blob/main/sd_xl_base_1.0.safetensors")
        transformer = FluxTransformer2DModel.from_single_file(
            "https://huggingface.co/Kijai/flux-fp8/blob/main/flux1-dev-fp8.safetensors", config="black-forest-labs/FLUX.1-dev",
            subfolder="transformer")
        local = StableDiffusionXLPipeline.from_single_file("./checkpoints/model.safetensors")
    """)
    assert [(ident, source, revision, detail) for _, ident, _, source, _, revision, detail in got] == [
        ("stabilityai/stable-diffusion-xl-base-1.0", "huggingface", "main", {}),
        ("Kijai/flux-fp8", "huggingface", "main", {"subfolder": "transformer"}),
        ("black-forest-labs/FLUX.1-dev", "huggingface", None, {"subfolder": "transformer"}),
        ("./checkpoints/model.safetensors", "local", None, {}),
    ]


# -- sentence-transformers ------------------------------------------------------------------------

def test_sentence_transformers_classes_and_their_organisations():
    assert ids("""
        from sentence_transformers import SentenceTransformer, CrossEncoder, SparseEncoder
        a = SentenceTransformer("all-MiniLM-L6-v2")
        b = SentenceTransformer("bert-base-uncased")
        c = CrossEncoder("cross-encoder/ms-marco-MiniLM-L6-v2")
        d = CrossEncoder("ms-marco-MiniLM-L6-v2")
        e = SparseEncoder("naver/splade-cocondenser-ensembledistil")
        f = SparseEncoder("splade-v3")
    """) == [
        ("sentence-transformers/all-MiniLM-L6-v2", "huggingface"), ("bert-base-uncased", "huggingface"),
        ("cross-encoder/ms-marco-MiniLM-L6-v2", "huggingface"), ("cross-encoder/ms-marco-MiniLM-L6-v2", "huggingface"),
        ("naver/splade-cocondenser-ensembledistil", "huggingface"), ("sparse-encoder/splade-v3", "huggingface"),
    ]


def test_sentence_transformers_modules():
    got = refs("""
        from sentence_transformers import SentenceTransformer, models
        from sentence_transformers.models import StaticEmbedding
        word_embedding_model = models.Transformer("google-bert/bert-base-uncased", max_seq_length=256)
        pooling_model = models.Pooling(word_embedding_model.get_word_embedding_dimension())
        model = SentenceTransformer(modules=[word_embedding_model, pooling_model])
        clip = models.CLIPModel("openai/clip-vit-base-patch32")
        static = StaticEmbedding.from_model2vec("minishlab/potion-base-8M")
    """)
    assert [(ident, call) for _, ident, _, _, call, _, _ in got] == [
        ("google-bert/bert-base-uncased", "sentence_transformers.models.Transformer"),
        ("openai/clip-vit-base-patch32", "sentence_transformers.models.CLIPModel"),
        ("minishlab/potion-base-8M", "sentence_transformers.models.StaticEmbedding.from_model2vec"),
    ]


def test_user_subclasses_of_a_table_class_are_called_as_their_base():
    got = refs("""
        from sentence_transformers import SentenceTransformer as ST
        from peft import PeftModel
        class Encoder(ST):
            def embed(self, texts):
                return self.encode(texts)
        class Retriever(Encoder):
            pass
        class MyPeft(PeftModel):
            pass
        enc = Encoder("BAAI/bge-small-en-v1.5")
        ret = Retriever("all-MiniLM-L6-v2")
        adapted = MyPeft.from_pretrained(base_model, "org/my-adapter")
    """)
    assert [(ident, source, call) for _, ident, _, source, call, _, _ in got] == [
        ("BAAI/bge-small-en-v1.5", "huggingface", "Encoder"),
        ("sentence-transformers/all-MiniLM-L6-v2", "huggingface", "Retriever"),
        ("org/my-adapter", "huggingface", "MyPeft.from_pretrained"),
    ]


# -- PEFT, timm, open_clip -------------------------------------------------------------------------

def test_peft_models_and_adapters():
    assert ids("""
        from transformers import AutoModelForCausalLM
        from peft import AutoPeftModelForCausalLM, PeftModel, PeftConfig
        config = PeftConfig.from_pretrained("ybelkada/opt-350m-lora")
        model = AutoPeftModelForCausalLM.from_pretrained("ybelkada/opt-350m-lora")
        base = AutoModelForCausalLM.from_pretrained("facebook/opt-350m")
        peft_model = PeftModel.from_pretrained(base, "ybelkada/opt-350m-lora")
        peft_model.load_adapter("ybelkada/opt-350m-lora-2", adapter_name="other")
        base.load_adapter("ybelkada/opt-350m-lora-3")
    """) == [("ybelkada/opt-350m-lora", "huggingface")] * 2 + [("facebook/opt-350m", "huggingface"),
                                                              ("ybelkada/opt-350m-lora", "huggingface"),
                                                              ("ybelkada/opt-350m-lora-2", "huggingface"),
                                                              ("ybelkada/opt-350m-lora-3", "huggingface")]


def test_timm_hub_names_and_its_own_registry_with_pretrained_weights():
    got = refs("""
        import timm
        a = timm.create_model("hf-hub:timm/resnet50.a1_in1k", pretrained=True)
        b = timm.create_model("hf_hub:timm/eva02_base_patch14_224.mim_in22k", pretrained=True)
        c = timm.create_model("resnet50.a1_in1k", pretrained=True)
        d = timm.create_model("resnet50", pretrained=True)
        e = timm.create_model("resnet50")
        f = timm.create_model("vit_base_patch16_224", pretrained=False, num_classes=10)
    """)
    assert [(line, ident, source, detail) for line, ident, _, source, _, _, detail in got] == [
        (3, "timm/resnet50.a1_in1k", "huggingface", {}),
        (4, "timm/eva02_base_patch14_224.mim_in22k", "huggingface", {}),
        (5, "timm/resnet50.a1_in1k", "huggingface", {}),
        (6, "resnet50", "unresolved", {"registry": "timm"}),
    ]


def test_open_clip_hub_names_and_registry_tags():
    got = refs("""
        import open_clip
        model, preprocess = open_clip.create_model_from_pretrained("hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K")
        tokenizer = open_clip.get_tokenizer("hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K")
        model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")
        untrained = open_clip.create_model("ViT-B-32")
    """)
    assert [(ident, source, detail) for _, ident, _, source, _, _, detail in got] == [
        ("laion/CLIP-ViT-g-14-laion2B-s12B-b42K", "huggingface", {}),
        ("laion/CLIP-ViT-g-14-laion2B-s12B-b42K", "huggingface", {}),
        ("ViT-B-32", "unresolved", {"pretrained": "laion2b_s34b_b79k", "registry": "open_clip"}),
    ]


# -- serving engines, other model libraries --------------------------------------------------------

def test_serving_engines_and_libraries_that_use_from_pretrained():
    assert [(ident, call) for _, ident, _, _, call, _, _ in refs("""
        from vllm import LLM
        from llama_cpp import Llama
        from mlx_lm import load
        from ctransformers import AutoModelForCausalLM
        from optimum.onnxruntime import ORTModelForSequenceClassification
        from optimum.pipelines import pipeline
        from setfit import SetFitModel
        from gliner import GLiNER
        from span_marker import SpanMarkerModel
        llm = LLM(model="facebook/opt-125m")
        gguf = Llama.from_pretrained(repo_id="Qwen/Qwen2-0.5B-Instruct-GGUF", filename="*q8_0.gguf")
        mlx_model, tokenizer = load("mlx-community/Mistral-7B-Instruct-v0.3-4bit")
        ct = AutoModelForCausalLM.from_pretrained("TheBloke/Llama-2-7B-GGUF", model_file="llama-2-7b.Q4_K_M.gguf", model_type="llama")
        ort = ORTModelForSequenceClassification.from_pretrained("optimum/distilbert-base-uncased-finetuned-sst-2-english")
        classifier = pipeline(task="text-classification", model="optimum/distilbert-base-uncased-finetuned-sst-2-english", accelerator="ort")
        setfit = SetFitModel.from_pretrained("sentence-transformers/paraphrase-mpnet-base-v2")
        ner = GLiNER.from_pretrained("urchade/gliner_mediumv2.1")
        spans = SpanMarkerModel.from_pretrained("tomaarsen/span-marker-bert-base-fewnerd-fine-super")
    """)] == [
        ("facebook/opt-125m", "vllm.LLM"),
        ("Qwen/Qwen2-0.5B-Instruct-GGUF", "llama_cpp.Llama.from_pretrained"),
        ("mlx-community/Mistral-7B-Instruct-v0.3-4bit", "mlx_lm.load"),
        ("TheBloke/Llama-2-7B-GGUF", "ctransformers.AutoModelForCausalLM.from_pretrained"),
        ("optimum/distilbert-base-uncased-finetuned-sst-2-english", "optimum.onnxruntime.ORTModelForSequenceClassification.from_pretrained"),
        ("optimum/distilbert-base-uncased-finetuned-sst-2-english", "optimum.pipelines.pipeline"),
        ("sentence-transformers/paraphrase-mpnet-base-v2", "setfit.SetFitModel.from_pretrained"),
        ("urchade/gliner_mediumv2.1", "gliner.GLiNER.from_pretrained"),
        ("tomaarsen/span-marker-bert-base-fewnerd-fine-super", "span_marker.SpanMarkerModel.from_pretrained"),
    ]


def test_keras_presets_only_from_the_hub():
    assert ids("""
        import keras_hub
        import keras_nlp
        causal_lm = keras_hub.models.Gemma3CausalLM.from_preset("hf://google/gemma-3-1b-pt")
        kaggle = keras_nlp.models.GemmaCausalLM.from_preset("gemma_2b_en")
    """) == [("google/gemma-3-1b-pt", "huggingface")]


def test_fastai_and_keras_through_huggingface_hub():
    assert ids("""
        from huggingface_hub import from_pretrained_fastai, from_pretrained_keras
        learner = from_pretrained_fastai("espejelomar/identify-my-cat")
        model = from_pretrained_keras("keras-io/ocr-for-captcha")
    """) == [("espejelomar/identify-my-cat", "huggingface"), ("keras-io/ocr-for-captcha", "huggingface")]


def test_inference_client_models_with_a_provider_suffix():
    assert ids("""
        from huggingface_hub import InferenceClient
        client = InferenceClient(model="meta-llama/Meta-Llama-3-8B-Instruct")
        routed = InferenceClient(provider="together", api_key=token)
        reply = routed.chat_completion(messages, model="deepseek-ai/DeepSeek-R1")
        other = routed.chat.completions.create(model="openai/gpt-oss-120b:cerebras", messages=messages)
    """) == [("meta-llama/Meta-Llama-3-8B-Instruct", "huggingface"), ("deepseek-ai/DeepSeek-R1", "huggingface"),
             ("openai/gpt-oss-120b", "huggingface")]


def test_evaluate_load_is_a_metric_not_a_model():
    got = refs("""
        import evaluate
        accuracy = evaluate.load("accuracy")
        element_count = evaluate.load("lvwerra/element_count", module_type="measurement")
        mine = evaluate.load("./metrics/my_metric.py")
    """)
    assert [(ident, kind, source) for _, ident, kind, source, _, _, _ in got] == [
        ("accuracy", "metric", "huggingface"), ("lvwerra/element_count", "metric", "huggingface"),
        ("./metrics/my_metric.py", "metric", "local"),
    ]


def test_spacy_load_of_an_installed_pipeline_is_a_package_not_a_repo():
    assert refs("""
        import spacy
        nlp = spacy.load("en_core_web_sm")
    """) == []


# -- ids and paths decided right (§5) ---------------------------------------------------------------

def test_reserved_first_segments_are_folders():
    assert ids("""
        from transformers import AutoModel
        a = AutoModel.from_pretrained("models/bert-finetuned")
        b = AutoModel.from_pretrained("datasets/squad")
        c = AutoModel.from_pretrained("spaces/demo")
        d = AutoModel.from_pretrained("org/models")
    """) == [("models/bert-finetuned", "local"), ("datasets/squad", "local"), ("spaces/demo", "local"), ("org/models", "huggingface")]


def test_an_output_dir_default_passed_to_a_loader_is_a_folder():
    got = ids("""
        import argparse
        from transformers import AutoModel
        parser = argparse.ArgumentParser()
        parser.add_argument("--model_name_or_path", default="google-bert/bert-base-uncased")
        parser.add_argument("--output_dir", default="outputs/bert-finetuned")
        args = parser.parse_args()
        model = AutoModel.from_pretrained(args.model_name_or_path)
        model.save_pretrained(args.output_dir)
        reloaded = AutoModel.from_pretrained(args.output_dir)
        save_dir = "runs/latest"
        again = AutoModel.from_pretrained(save_dir)
    """)
    assert got == [("google-bert/bert-base-uncased", "huggingface"), ("outputs/bert-finetuned", "local"), ("runs/latest", "local")]


# -- unresolvable load arguments (issue 11 §3) ------------------------------------------------------

def test_load_arguments_that_cannot_be_resolved_are_flagged_never_read_as_safe():
    found = PythonScanner().scan("app.py", textwrap.dedent("""
        import os, argparse
        from transformers import AutoModel
        parser = argparse.ArgumentParser()
        parser.add_argument("--trust_remote_code", action="store_true", default=False)
        args = parser.parse_args()
        a = AutoModel.from_pretrained("org/a", trust_remote_code=args.trust_remote_code)
        b = AutoModel.from_pretrained("org/b", trust_remote_code=config.trust)
        c = AutoModel.from_pretrained("org/c", use_safetensors=settings.use_st, revision=os.environ.get("REV", "main"))
        d = AutoModel.from_pretrained("org/d", trust_remote_code=False, use_safetensors=True, revision="0123456789abcdef0123456789abcdef01234567")
        e = AutoModel.from_pretrained("org/e", trust_remote_code=True)
        f = AutoModel.from_pretrained("org/f", trust_remote_code=None)
    """).encode())
    by_id = {r.id: (r.flags, dict(r.detail)) for r in found}
    assert by_id["org/a"] == (("trust_remote_code_unresolved",), {"trust_remote_code_overridable_by": "--trust_remote_code"})
    assert by_id["org/b"] == (("trust_remote_code_unresolved",), {"trust_remote_code_expression": "config.trust"})
    assert by_id["org/c"] == (("revision_from_variable", "revision_unresolved", "use_safetensors_unresolved"),
                              {"revision_overridable_by": "REV", "use_safetensors_expression": "settings.use_st"})
    assert by_id["org/d"] == ((), {})
    assert by_id["org/e"] == (("trust_remote_code",), {})
    assert by_id["org/f"] == ((), {})


# -- @huggingface/inference in JavaScript and TypeScript -----------------------------------------------

def test_huggingface_js_inference_client_models():
    src = textwrap.dedent("""
        import { InferenceClient } from "@huggingface/inference";
        const client = new InferenceClient(process.env.HF_TOKEN);
        const MODEL = "black-forest-labs/FLUX.1-dev";
        const chat = await client.chatCompletion({
          model: "meta-llama/Llama-3.1-8B-Instruct",
          messages: [{ role: "user", content: "Hello" }],
          provider: "sambanova",
        });
        const image = await client.textToImage({ model: MODEL, inputs: "a cat" });
        const routed = await client.chatCompletion({ model: "deepseek-ai/DeepSeek-R1:novita", messages });
        const dynamic = await client.textGeneration({ model: modelId, inputs: "x" });
        const openai = { model: "gpt-4o" };  // another API's name in the same file
    """)
    found = JavaScriptScanner().scan("app.ts", src.encode())
    assert [(r.line, r.id, r.source, r.call) for r in found] == [
        (6, "meta-llama/Llama-3.1-8B-Instruct", "huggingface", "huggingface.js:inference"),
        (10, "black-forest-labs/FLUX.1-dev", "huggingface", "huggingface.js:inference"),
        (11, "deepseek-ai/DeepSeek-R1", "huggingface", "huggingface.js:inference"),
        (12, "modelId", "unresolved", "huggingface.js:inference"),
    ]


def test_js_files_without_the_inference_package_ignore_model_keys():
    assert JavaScriptScanner().scan("app.js", b'import OpenAI from "openai";\nconst r = { model: "org/name" };\n') == []
    assert not JavaScriptScanner().may_contain(json.dumps({"model": "org/name"}).encode())


def test_trl_trainers_load_a_model_given_by_its_id():
    got = refs("""
        from trl import SFTTrainer, GRPOTrainer, DPOTrainer
        from trl.trainer.reward_trainer import RewardTrainer
        def accuracy_reward(completions, **kwargs):
            return [1.0 for _ in completions]
        sft = SFTTrainer(model="Qwen/Qwen2-0.5B", train_dataset=dataset)
        grpo = GRPOTrainer(model="Qwen/Qwen2-0.5B-Instruct", reward_funcs=[accuracy_reward, "weqweasdas/RM-Gemma-2B"])
        dpo = DPOTrainer(model=model_args.model_name_or_path, ref_model=None, train_dataset=dataset)
        rm = RewardTrainer(model="Qwen/Qwen2.5-0.5B-Instruct", train_dataset=dataset)
        sft.train()
    """)
    assert [(line, ident, source) for line, ident, _, source, _, _, _ in got] == [
        (6, "Qwen/Qwen2-0.5B", "huggingface"), (7, "Qwen/Qwen2-0.5B-Instruct", "huggingface"),
        (7, "weqweasdas/RM-Gemma-2B", "huggingface"), (8, "model_args.model_name_or_path", "unresolved"),
        (9, "Qwen/Qwen2.5-0.5B-Instruct", "huggingface"),
    ]


def test_a_model_object_passed_on_is_not_a_second_unresolved_reference():
    got = ids("""
        from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline
        from trl import SFTTrainer
        model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2-0.5B").to("cuda")
        tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2-0.5B")
        generator = pipeline("text-generation", model=model, tokenizer=tokenizer)
        trainer = SFTTrainer(model=model, processing_class=tokenizer)
        other = pipeline("text-generation", model=model_from_elsewhere)
        def reload(model):
            model = AutoModelForCausalLM.from_pretrained(model)
            return model
    """)
    assert got == [("Qwen/Qwen2-0.5B", "huggingface"), ("Qwen/Qwen2-0.5B", "huggingface"), ("model_from_elsewhere", "unresolved"),
                   ("model", "unresolved")]


def test_mlx_loads_sharded_and_weights():
    got = refs("""
        import mlx.core as mx
        from mlx_lm.utils import sharded_load
        model, tokenizer = sharded_load("mlx-community/Qwen3-30B-A3B-4bit", pipeline_group, tensor_group)
        weights = mx.load("adapters/adapters.safetensors")
    """)
    assert [(ident, source, call) for _, ident, _, source, call, _, _ in got] == [
        ("mlx-community/Qwen3-30B-A3B-4bit", "huggingface", "mlx_lm.utils.sharded_load"),
        ("adapters/adapters.safetensors", "local", "mlx.core.load"),
    ]


# -- engines and embedders that take Hub ids (their documentation's examples) --------------------

def test_tensorrt_llm_sglang_fastembed_and_hf_hub_url():
    got = refs("""
        import sglang as sgl
        from fastembed import TextEmbedding, SparseTextEmbedding
        from fastembed.rerank.cross_encoder import TextCrossEncoder
        from huggingface_hub import hf_hub_url
        from tensorrt_llm import LLM, SamplingParams

        llm = LLM(model="TinyLlama/TinyLlama-1.1B-Chat-v1.0")
        engine = sgl.Engine(model_path="qwen/qwen2.5-0.5b-instruct", revision="main")
        dense = TextEmbedding("BAAI/bge-small-en-v1.5")
        sparse = SparseTextEmbedding(model_name="prithivida/Splade_PP_en_v1")
        url = hf_hub_url(repo_id="lysandre/arxiv-nlp", filename="config.json")
        data = hf_hub_url("squad-org/squad-v2", "train.json", repo_type="dataset")
        reranker = TextCrossEncoder(model_name="Xenova/ms-marco-MiniLM-L-6-v2")
    """)
    assert [(line, ident, kind, call, revision) for line, ident, kind, _, call, revision, _ in got] == [
        (8, "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "model", "tensorrt_llm.LLM", None),
        (9, "qwen/qwen2.5-0.5b-instruct", "model", "sglang.Engine", "main"),
        (10, "BAAI/bge-small-en-v1.5", "model", "fastembed.TextEmbedding", None),
        (11, "prithivida/Splade_PP_en_v1", "model", "fastembed.SparseTextEmbedding", None),
        (12, "lysandre/arxiv-nlp", "model", "huggingface_hub.hf_hub_url", None),
        (13, "squad-org/squad-v2", "dataset", "huggingface_hub.hf_hub_url", None),
        (14, "Xenova/ms-marco-MiniLM-L-6-v2", "model", "fastembed.rerank.cross_encoder.TextCrossEncoder", None),
    ]
