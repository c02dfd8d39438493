from peft import AutoPeftModelForCausalLM, PeftModel
from transformers import AutoModelForCausalLM

base = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
tuned = PeftModel.from_pretrained(base, "ybelkada/opt-350m-lora")
auto = AutoPeftModelForCausalLM.from_pretrained("smangrul/tinyllama_lora_norobots")
