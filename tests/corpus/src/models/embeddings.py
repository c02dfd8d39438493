from sentence_transformers import CrossEncoder, SentenceTransformer

# A bare name resolves to the sentence-transformers organisation, as the library does.
short = SentenceTransformer("all-MiniLM-L6-v2")
full = SentenceTransformer("BAAI/bge-small-en-v1.5", revision="5c38ec7c405ec4b44b94cc5a9bb96e735b38267a")
reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
