import pandas as pd
from huggingface_hub import HfApi, InferenceClient, hf_hub_download, snapshot_download

weights = hf_hub_download(repo_id="TheBloke/Mistral-7B-Instruct-v0.2-GGUF", filename="mistral-7b-instruct-v0.2.Q4_K_M.gguf")
corpus = snapshot_download("HuggingFaceFW/fineweb-edu", repo_type="dataset", revision="v1.2.0")
space = snapshot_download("gradio/hello_world", repo_type="space")
info = HfApi().model_info("mistralai/Mistral-7B-Instruct-v0.3")
api = HfApi()
card = api.dataset_info("rajpurkar/squad_v2")
client = InferenceClient(model="HuggingFaceH4/zephyr-7b-beta")
endpoint = InferenceClient(model="https://my-endpoint.endpoints.huggingface.cloud")
frame = pd.read_parquet("hf://datasets/stanfordnlp/imdb/plain_text/train-00000-of-00001.parquet")
