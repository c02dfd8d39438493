from transformers import AutoModel
print "this file is Python 2"
model = AutoModel.from_pretrained("org/never-seen-in-python-2-file")
