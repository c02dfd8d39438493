from datasets import load_dataset

reviews = load_dataset("stanfordnlp/imdb", split="train")
legacy = load_dataset("squad")
pinned = load_dataset("openai/gsm8k", "main", revision="e53f048856ff4f594e959d75785d2c2d37b678ee")
local_csv = load_dataset("csv", data_files="data/train.csv")
