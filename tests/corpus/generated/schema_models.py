from transformers import AutoModel

AutoModel.from_pretrained("generated-org/ignored-by-gitignore")
