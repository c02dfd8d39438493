"""Issue 14 classes: diffusers adapters, sentence-transformers subclasses and modules, timm
and open_clip registries, Inference Providers, metrics, and load arguments nobody can resolve."""
import argparse
import os

import evaluate
import open_clip
import timm
from diffusers import DiffusionPipeline
from huggingface_hub import InferenceClient
from sentence_transformers import SentenceTransformer, models
from transformers import AutoModelForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("--output_dir", default="outputs/sdxl-lora")
parser.add_argument("--trust_remote_code", action="store_true", default=False)
args = parser.parse_args()

pipe = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0", revision="462165984030d82259a11f4367a4eed129e94a7b")
pipe.load_lora_weights("nerijs/pixel-art-xl", weight_name="pixel-art-xl.safetensors", adapter_name="pixel")
pipe.load_ip_adapter(["h94/IP-Adapter", "ozzygt/sdxl-ip-adapter"], subfolder="sdxl_models",
                     weight_name=["ip-adapter_sdxl.bin", "ip-adapter-plus_sdxl_vit-h.bin"])
pipe.load_lora_weights(args.output_dir)


class DomainEncoder(SentenceTransformer):
    def embed(self, texts):
        return self.encode(texts)


encoder = DomainEncoder("all-mpnet-base-v2")
word_embeddings = models.Transformer("FacebookAI/xlm-roberta-base")

tagged = timm.create_model("convnext_tiny.fb_in22k", pretrained=True)
architecture_only = timm.create_model("convnext_tiny")
clip_model, _, clip_preprocess = open_clip.create_model_and_transforms("ViT-B-16", pretrained="datacomp_xl_s13b_b90k")

client = InferenceClient(provider="auto")
answer = client.chat_completion([{"role": "user", "content": "hi"}], model="Qwen/Qwen2.5-72B-Instruct:together")

bleu = evaluate.load("bleu")

lm = AutoModelForCausalLM.from_pretrained("microsoft/phi-4", trust_remote_code=args.trust_remote_code,
                                          revision=os.environ.get("PHI_REVISION", "main"))
