from llama_cpp import Llama
from mlx_lm import load
from unsloth import FastLanguageModel
from vllm import LLM

llm = LLM(model="Qwen/Qwen2.5-1.5B-Instruct", revision="main")
gguf = Llama.from_pretrained(repo_id="Qwen/Qwen2.5-0.5B-Instruct-GGUF", filename="*q8_0.gguf")
mlx_model, mlx_tokenizer = load("mlx-community/Mistral-7B-Instruct-v0.3-4bit")
model, tokenizer = FastLanguageModel.from_pretrained(model_name="unsloth/Llama-3.2-1B-Instruct", load_in_4bit=True)
