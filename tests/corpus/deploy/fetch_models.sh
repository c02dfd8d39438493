#!/usr/bin/env bash
set -euo pipefail

# huggingface-cli download org/commented-out
huggingface-cli download meta-llama/Llama-3.2-1B-Instruct \
    --revision 9213176726f574b556790deb65791e0c5aa438b6 \
    --local-dir ./models/llama
hf download HuggingFaceFW/fineweb --repo-type dataset --include "sample/10BT/*"
EMBEDDER=BAAI/bge-large-en-v1.5
hf download "$EMBEDDER" && echo done
hf download "${UNKNOWN_MODEL}"
vllm serve Qwen/Qwen2.5-7B-Instruct-AWQ --port 8000
llama-server -hf ggml-org/gemma-3-1b-it-GGUF:Q4_K_M
echo "vllm serve is documented elsewhere"
