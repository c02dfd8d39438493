from transformers import AutoModel, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("google/gemma-2-2b")
model = AutoModel.from_pretrained("google/gemma-2-2b", torch_dtype=)  # an edit left half-done
