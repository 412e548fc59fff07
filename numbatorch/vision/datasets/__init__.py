"""``numbatorch.vision.datasets``: torchvision's datasets (image folders, MNIST family, CIFAR, STL10, VOC, FakeData)."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .stl10 import STL10
from .vision import StandardTransform, VisionDataset
from .voc import VOCDetection, VOCSegmentation

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST", "IMG_EXTENSIONS",
           "ImageFolder", "KMNIST", "MNIST", "STL10", "StandardTransform", "VOCDetection", "VOCSegmentation",
           "VisionDataset", "default_loader", "pil_loader"]
