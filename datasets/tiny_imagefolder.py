"""A tiny two-class image folder shaped like cifar2, generated in a second, for fast tests and ``--quick`` runs.

Class ``0_airplane`` images are bluish with a bright horizontal band ("sky"), class ``1_automobile`` images
are reddish with a dark vertical block, both under random noise and offsets, so a small convolutional network
separates them within an epoch or two. Same layout as cifar2 (``train/`` and ``test/``, one folder per class,
numbered 32x32 JPEGs), so the same ImageFolder code reads both.

    python datasets/tiny_imagefolder.py /tmp/tiny_cifar2
"""
import os
import sys

import numpy as np

CLASSES = ("0_airplane", "1_automobile")


def draw_image(label, rng, size=32):
    """One (size, size, 3) uint8 image of class ``label`` (0 or 1)."""
    image = rng.normal(110.0, 30.0, size=(size, size, 3))
    start = int(rng.integers(0, size // 2))
    width = size // 4
    if label == 0:
        image[:, :, 2] += 60.0  # bluish
        image[start:start + width, :, :] += 70.0  # bright horizontal band
    else:
        image[:, :, 0] += 60.0  # reddish
        image[:, start:start + width, :] -= 70.0  # dark vertical block
    return np.clip(image, 0, 255).astype(np.uint8)


def make_tiny_imagefolder(root, n_train=40, n_test=20, size=32, seed=0):
    """Write ``root/{train,test}/{0_airplane,1_automobile}/<i>.jpg`` (n_train / n_test images per class)
    and return ``root``."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    for split, count in (("train", n_train), ("test", n_test)):
        for label, folder in enumerate(CLASSES):
            path = os.path.join(root, split, folder)
            os.makedirs(path, exist_ok=True)
            for i in range(count):
                Image.fromarray(draw_image(label, rng, size)).save(os.path.join(path, f"{i}.jpg"), format="JPEG")
    return root


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(f"usage: python {sys.argv[0]} DEST_FOLDER")
    print(make_tiny_imagefolder(sys.argv[1]))
