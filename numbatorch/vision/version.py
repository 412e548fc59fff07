"""The torchvision release whose API ``numbatorch.vision`` follows (the one paired with PyTorch 2.13)."""
__version__ = "0.28.0"
