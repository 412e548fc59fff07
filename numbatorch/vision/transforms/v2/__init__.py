"""``numbatorch.vision.transforms.v2``: torchvision's v2 transforms for images inside arbitrary samples (no
``tv_tensors``: boxes, masks and videos are not transformed)."""
from ._transform import Transform
from ._transforms import (CenterCrop, ColorJitter, Compose, ConvertImageDtype, GaussianBlur, Grayscale, Identity,
                          Lambda, Normalize, Pad, PILToTensor, RandomAffine, RandomApply, RandomChoice, RandomCrop,
                          RandomErasing, RandomGrayscale, RandomHorizontalFlip, RandomOrder, RandomResizedCrop,
                          RandomRotation, RandomVerticalFlip, Resize, ToDtype, ToImage, ToPILImage, ToPureTensor,
                          ToTensor)

__all__ = ["CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "GaussianBlur", "Grayscale", "Identity",
           "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine", "RandomApply", "RandomChoice", "RandomCrop",
           "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip", "RandomOrder", "RandomResizedCrop",
           "RandomRotation", "RandomVerticalFlip", "Resize", "ToDtype", "ToImage", "ToPILImage", "ToPureTensor",
           "ToTensor", "Transform"]
