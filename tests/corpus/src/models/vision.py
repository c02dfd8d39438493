import open_clip
import timm

backbone = timm.create_model("hf-hub:timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", pretrained=True)
builtin = timm.create_model("resnet50", pretrained=True)  # timm's own name: timm picks the repo (timm/resnet50.<tag>)
clip, _, preprocess = open_clip.create_model_and_transforms("hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K")
