from transformers import AutoModel

# Old experiment kept around: custom modelling code from the Hub runs on load.
model = AutoModel.from_pretrained("microsoft/phi-2", trust_remote_code=True)

local = AutoModel.from_pretrained("./checkpoints/finetuned")  # a local path, not a Hub model
