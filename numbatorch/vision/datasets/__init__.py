"""``numbatorch.vision.datasets``: torchvision's datasets (image folders, MNIST family, CIFAR, FakeData)."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "FakeData", "FashionMNIST", "IMG_EXTENSIONS", "ImageFolder",
           "KMNIST", "MNIST", "StandardTransform", "VisionDataset", "default_loader", "pil_loader"]
