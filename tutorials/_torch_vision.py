"""A small stand-in for torchvision on plain PyTorch (``ImageFolder``, ``Compose``, ``ToTensor``, the random flips
and rotation), so that ``--backend torch`` runs the image tutorials where torchvision is not installed. A timing
baseline only."""
import os
import types

import numpy as np
import torch
from PIL import Image


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class ToTensor:
    """PIL image -> float32 CHW tensor in [0, 1]."""

    def __call__(self, img):
        array = np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0
        return torch.from_numpy(array.transpose(2, 0, 1).copy())


class RandomHorizontalFlip:
    """Mirror a PIL image left to right with probability ``p`` (drawn from torch's generator, as torchvision)."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if torch.rand(1) < self.p else img


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip a PIL image upside down with probability ``p``."""

    def __call__(self, img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM) if torch.rand(1) < self.p else img


class RandomRotation:
    """Rotate a PIL image by an angle drawn uniformly from (-degrees, degrees), nearest neighbour, same size."""

    def __init__(self, degrees):
        self.degrees = degrees

    def __call__(self, img):
        angle = float(torch.empty(1).uniform_(-self.degrees, self.degrees).item())
        return img.rotate(angle, resample=Image.Resampling.NEAREST, expand=False)


class ImageFolder(torch.utils.data.Dataset):
    """``root/<class>/<image>``: classes are the sorted folder names, samples sorted within each class."""

    def __init__(self, root, transform=None, target_transform=None):
        self.classes = sorted(d.name for d in os.scandir(root) if d.is_dir())
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.samples = [(os.path.join(root, c, f), self.class_to_idx[c])
                        for c in self.classes for f in sorted(os.listdir(os.path.join(root, c)))]
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, target = self.samples[index]
        with open(path, "rb") as f:
            img = Image.open(f).convert("RGB")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


transforms = types.SimpleNamespace(Compose=Compose, ToTensor=ToTensor, RandomHorizontalFlip=RandomHorizontalFlip,
                                   RandomVerticalFlip=RandomVerticalFlip, RandomRotation=RandomRotation)
datasets = types.SimpleNamespace(ImageFolder=ImageFolder)
