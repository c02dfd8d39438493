"""A small service that classifies support tickets and drafts replies."""

import os

from datasets import load_dataset
from sentence_transformers import SentenceTransformer
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

# Pinned to a commit: the vetted revision is the one that runs.
CLASSIFIER = "google-bert/bert-base-uncased"
CLASSIFIER_REVISION = "86b5e0934494bd15c9632b12f734a8a67f723594"

tokenizer = AutoTokenizer.from_pretrained(CLASSIFIER, revision=CLASSIFIER_REVISION)
classifier = AutoModelForSequenceClassification.from_pretrained(CLASSIFIER, revision=CLASSIFIER_REVISION)

# Embeddings for ticket search (a bare name resolves to sentence-transformers/all-MiniLM-L6-v2).
embedder = SentenceTransformer("all-MiniLM-L6-v2", revision="main")


def reply_drafter():
    model_id = os.environ.get("DRAFT_MODEL", "meta-llama/Llama-3.1-8B-Instruct")
    return pipeline("text-generation", model=model_id)


def summariser():
    # Non-commercial license: fine for research, not for a product.
    return pipeline("summarization", model="facebook/nllb-200-distilled-600M")


def load_eval_set():
    return load_dataset("stanfordnlp/imdb", split="test")
