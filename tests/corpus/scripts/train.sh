#!/usr/bin/env bash
set -euo pipefail
BASE=mistralai/Mistral-7B-v0.3
accelerate launch --num_processes 2 train.py \
  --model_name_or_path "$BASE" \
  --dataset_name HuggingFaceH4/ultrafeedback_binarized \
  --output_dir outputs/mistral-dpo
wget -q https://huggingface.co/TheBloke/Mistral-7B-Instruct-v0.2-GGUF/resolve/main/mistral-7b-instruct-v0.2.Q4_K_M.gguf
curl -L -o upscaler.pth https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth
python eval.py --model gpt-4o-mini
