"""Every way the scanner resolves a value it does not see as a literal."""

import argparse
import os
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from transformers import AutoModel as Backbone
from transformers import AutoTokenizer as Tok
from transformers import pipeline

ORG = "google"
NAME = f"{ORG}/flan-t5-base"
ALIAS = NAME
SMALL = "google" + "/" + "gemma-2-2b-it"
REVISION = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9"
MODELS = {"small": "HuggingFaceTB/SmolLM2-360M", "large": "HuggingFaceTB/SmolLM2-1.7B"}

backbone = Backbone.from_pretrained(ALIAS, revision=REVISION)
tok = Tok.from_pretrained(SMALL)
picked = Backbone.from_pretrained(MODELS["large"])

env_model = os.environ.get("EMBED_MODEL", "intfloat/e5-small-v2")
embedder = Backbone.from_pretrained(env_model)
from_getenv = Backbone.from_pretrained(os.getenv("RERANK_MODEL", "BAAI/bge-reranker-base"))
required = Backbone.from_pretrained(os.environ["REQUIRED_MODEL"])
floating = Backbone.from_pretrained("google/flan-t5-small", revision=os.getenv("MODEL_REV", "main"))


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-name", default="facebook/opt-125m")
    parser.add_argument("--tokenizer", dest="tokenizer_id", default="facebook/opt-350m")
    args = parser.parse_args()
    model = Backbone.from_pretrained(args.model_name)
    tokenizer = Tok.from_pretrained(args.tokenizer_id)
    return model, tokenizer


@dataclass
class TrainConfig:
    base: str = "mistralai/Mistral-Nemo-Base-2407"
    adapter: str = field(default="predibase/conllpp")


class ServeSettings(BaseModel):
    model_id: str = Field(default="Qwen/Qwen2.5-Coder-7B-Instruct")


def train(config: TrainConfig):
    return Backbone.from_pretrained(config.base)


def serve(settings: ServeSettings):
    return Backbone.from_pretrained(settings.model_id)


class Summariser:
    checkpoint = "sshleifer/distilbart-cnn-12-6"

    def __init__(self, size="base"):
        self.variant = f"google-t5/t5-{size}"
        self.pipe = pipeline("summarization", model=self.checkpoint)
        self.alt = pipeline("summarization", model=self.variant)


def local_function():
    name = "first/version"
    name = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    return Backbone.from_pretrained(name)


def from_caller(model_path):
    return Backbone.from_pretrained(model_path, trust_remote_code=True)


SETTINGS = {"model": "tiiuae/falcon-7b-instruct", "trust_remote_code": True}
falcon = pipeline("text-generation", **SETTINGS)
versioned = Backbone.from_pretrained(NAME, revision=REVISION[:7])
formatted = Backbone.from_pretrained("{}/{}".format(ORG, "gemma-2-9b"))
