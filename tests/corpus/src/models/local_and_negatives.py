"""Things that look like models and are not Hub references.

Example in a docstring: AutoModel.from_pretrained("org/in-docstring")
"""

import os
from pathlib import Path

import spacy
from transformers import AutoModel

nlp = spacy.load("en_core_web_sm")  # a pip package, not a Hub model
# model = AutoModel.from_pretrained("org/in-a-comment")
UNUSED = "org/never-loaded"
label = "meta-llama/Llama-3.1-8B"  # only a string, no loader call

finetuned = AutoModel.from_pretrained("./outputs/finetuned")
absolute = AutoModel.from_pretrained("/mnt/models/bert")
home = AutoModel.from_pretrained("~/models/bert")
windows = AutoModel.from_pretrained("C:\\models\\bert")
joined = AutoModel.from_pretrained(os.path.join("checkpoints", "epoch-3"))
pathlib_dir = AutoModel.from_pretrained(Path("runs") / "best")
nested = AutoModel.from_pretrained("experiments/run-7/checkpoint-500")


def from_pretrained(name):
    return name


from_pretrained("org/not-a-loader")  # a local function of the same name, not a method
bundled = AutoModel.from_pretrained(Path(__file__).parent / "bundled")
