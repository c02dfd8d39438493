"""Loading language models with transformers.

Docstrings mention ids such as google-bert/bert-base-uncased; they are not references.
"""

from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoProcessor,
    AutoTokenizer,
    LlamaForCausalLM,
    pipeline,
)

PINNED = "d4a4fd3b3b1a1e3b9fbbd6f4c1f7a4f0e2c3b5a6"


def load_chat_model():
    # AutoModel.from_pretrained("org/commented-out") must not be reported
    tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct", revision=PINNED)
    model = AutoModelForCausalLM.from_pretrained(
        "meta-llama/Llama-3.1-8B-Instruct",
        revision=PINNED,
        torch_dtype="auto",
    )
    return tokenizer, model


def load_misc():
    config = AutoConfig.from_pretrained("Qwen/Qwen2.5-7B-Instruct", revision="main")
    processor = AutoProcessor.from_pretrained("openai/whisper-large-v3", revision="v1.0")
    legacy = LlamaForCausalLM.from_pretrained("gpt2")
    custom = AutoModelForCausalLM.from_pretrained("microsoft/Phi-3-mini-4k-instruct", trust_remote_code=True)
    unsafe = AutoModelForCausalLM.from_pretrained("EleutherAI/pythia-70m", use_safetensors=False)
    return config, processor, legacy, custom, unsafe


classifier = pipeline("sentiment-analysis", "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
generator = pipeline(task="text-generation", model="HuggingFaceTB/SmolLM2-135M", tokenizer="HuggingFaceTB/SmolLM2-135M-tok")
default_task = pipeline("summarization")  # no model named: transformers picks its default
