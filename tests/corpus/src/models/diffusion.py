import torch
from diffusers import DiffusionPipeline, StableDiffusionXLPipeline

pipe = StableDiffusionXLPipeline.from_pretrained(
    "stabilityai/stable-diffusion-xl-base-1.0", torch_dtype=torch.float16, use_safetensors=True
)
pipe.load_lora_weights("nerijs/pixel-art-xl")
single = StableDiffusionXLPipeline.from_single_file(
    "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/blob/main/sd_xl_base_1.0.safetensors"
)
flux = DiffusionPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell")
