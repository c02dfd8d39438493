from langchain_huggingface import HuggingFaceEmbeddings, HuggingFaceEndpoint, HuggingFacePipeline
from llama_index.embeddings.huggingface import HuggingFaceEmbedding

embeddings = HuggingFaceEmbeddings(model_name="sentence-transformers/all-mpnet-base-v2")
remote = HuggingFaceEndpoint(repo_id="mistralai/Mistral-7B-Instruct-v0.2", max_new_tokens=256)
local_llm = HuggingFacePipeline.from_model_id(model_id="gpt2", task="text-generation")
index_embeddings = HuggingFaceEmbedding(model_name="BAAI/bge-base-en-v1.5")
