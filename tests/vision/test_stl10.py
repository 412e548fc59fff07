"""STL10 on binary files written on the fly: decoded images, labels, splits and folds equal what was written."""
import hashlib
import os

import numpy as np
import pytest
from PIL import Image

from numbatorch.vision import datasets


def _make_stl10(root, monkeypatch):
    rng = np.random.default_rng(21)
    folder = os.path.join(root, "stl10_binary")
    os.makedirs(folder)
    # Stored per image: the red plane, then green, then blue, each 96x96 column-major.
    made = {"train": rng.integers(0, 256, (5, 96, 96, 3), dtype=np.uint8),
            "test": rng.integers(0, 256, (3, 96, 96, 3), dtype=np.uint8),
            "unlabeled": rng.integers(0, 256, (2, 96, 96, 3), dtype=np.uint8)}
    labels = {"train": rng.integers(0, 10, 5), "test": rng.integers(0, 10, 3)}
    for split, images in made.items():
        images.transpose(0, 3, 2, 1).tofile(os.path.join(folder, f"{split}_X.bin"))
    for split, values in labels.items():
        (values + 1).astype(np.uint8).tofile(os.path.join(folder, f"{split}_y.bin"))
    with open(os.path.join(folder, "class_names.txt"), "w") as f:
        f.write("\n".join(f"class{i}" for i in range(10)) + "\n")
    with open(os.path.join(folder, "fold_indices.txt"), "w") as f:
        f.write("4 1\n0 2 3\n")

    def md5(name):
        return hashlib.md5(open(os.path.join(folder, name), "rb").read()).hexdigest()

    monkeypatch.setattr(datasets.STL10, "train_list", [[n, md5(n)] for n, _ in datasets.STL10.train_list])
    monkeypatch.setattr(datasets.STL10, "test_list", [[n, md5(n)] for n, _ in datasets.STL10.test_list])
    return made, labels


def test_splits_and_folds_decode_to_what_was_written(tmp_path, monkeypatch):
    made, labels = _make_stl10(str(tmp_path), monkeypatch)
    train = datasets.STL10(str(tmp_path))
    assert train.data.shape == (5, 3, 96, 96) and train.classes[3] == "class3"
    np.testing.assert_array_equal(train.labels, labels["train"])
    img, target = train[2]
    assert isinstance(img, Image.Image) and img.size == (96, 96)
    np.testing.assert_array_equal(np.asarray(img), made["train"][2])
    assert target == labels["train"][2]
    test = datasets.STL10(str(tmp_path), split="test")
    np.testing.assert_array_equal(np.asarray(test[1][0]), made["test"][1])
    both = datasets.STL10(str(tmp_path), split="train+unlabeled")
    assert len(both) == 7 and list(both.labels[-2:]) == [-1, -1]
    np.testing.assert_array_equal(np.asarray(both[6][0]), made["unlabeled"][1])
    fold = datasets.STL10(str(tmp_path), folds=0)
    np.testing.assert_array_equal(fold.labels, labels["train"][[4, 1]])
    assert "Split: train" in repr(fold)
    with pytest.raises(ValueError, match=r"Value for argument folds should be in the range \[0, 10\), but got 10."):
        datasets.STL10(str(tmp_path), folds=10)
    with pytest.raises(ValueError, match="Unknown value 'val' for argument split."):
        datasets.STL10(str(tmp_path), split="val")


def test_missing_files(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use download=True"):
        datasets.STL10(str(tmp_path))
    with pytest.raises(RuntimeError, match="Error downloading stl10_binary.tar.gz"):
        datasets.STL10(str(tmp_path), download=True)
