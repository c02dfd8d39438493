import pickle

import joblib
import torch

hub_model = torch.hub.load("pytorch/vision:v0.10.0", "resnet18", pretrained=True)
state = torch.load("checkpoints/model.pt")
safe_state = torch.load("checkpoints/model.pt", weights_only=True)


def restore(path):
    return torch.load(path, map_location="cpu")


with open("artifacts/classifier.pkl", "rb") as fh:
    classifier = pickle.load(fh)
forest = joblib.load("artifacts/forest.joblib")
with open("artifacts/vocab.json") as vocab_file:
    vocab = pickle.load(vocab_file)  # not a model file: not flagged
