"""CIFAR10 / CIFAR100 on python pickle batches written on the fly: decoded arrays equal what was written."""
import hashlib
import io
import os
import pickle
import shutil
import tarfile

import numpy as np
import pytest
from PIL import Image

from numbatorch.vision import datasets, transforms
from numbatorch.vision.datasets.utils import extract_archive


def _md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def _make_cifar(root, cls, monkeypatch, per_batch=3):
    """Write a tiny copy of the dataset's batches and point its checksums at them."""
    rng = np.random.default_rng(11)
    folder = os.path.join(root, cls.base_folder)
    os.makedirs(folder)
    fine = cls is datasets.CIFAR100
    written = {}
    lists = {}
    for split, entries in (("train_list", cls.train_list), ("test_list", cls.test_list)):
        rows, labels = [], []
        for name, _ in entries:
            data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
            targets = rng.integers(0, 100 if fine else 10, per_batch).tolist()
            entry = {"data": data, ("fine_labels" if fine else "labels"): targets}
            if fine:
                entry["coarse_labels"] = [t // 5 for t in targets]
            with open(os.path.join(folder, name), "wb") as f:
                pickle.dump(entry, f, protocol=2)
            rows.append(data)
            labels += targets
        written[split] = np.vstack(rows), labels
        lists[split] = [[name, _md5(os.path.join(folder, name))] for name, _ in entries]
    names = [f"class{i}" for i in range(100 if fine else 10)]
    meta_path = os.path.join(folder, cls.meta["filename"])
    with open(meta_path, "wb") as f:
        pickle.dump({cls.meta["key"]: names}, f, protocol=2)
    for split, entries in lists.items():
        monkeypatch.setattr(cls, split, entries)
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=_md5(meta_path)))
    return written, names


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_batches_decode_to_what_was_written(tmp_path, monkeypatch, cls):
    written, names = _make_cifar(str(tmp_path), cls, monkeypatch)
    for train, split in ((True, "train_list"), (False, "test_list")):
        ds = cls(str(tmp_path), train=train)
        rows, labels = written[split]
        # Each row is 1024 red, then 1024 green, then 1024 blue bytes of a 32x32 image.
        expected = np.stack([rows[:, c * 1024:(c + 1) * 1024].reshape(-1, 32, 32) for c in range(3)], axis=-1)
        assert ds.data.dtype == np.uint8 and ds.data.shape == (len(labels), 32, 32, 3)
        np.testing.assert_array_equal(ds.data, expected)
        assert ds.targets == labels and len(ds) == len(labels)
        img, target = ds[2]
        assert isinstance(img, Image.Image) and img.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(img), expected[2])
        assert target == labels[2]
    assert ds.classes == names and ds.class_to_idx[names[4]] == 4
    assert "Split: Test" in repr(ds)
    tensor, _ = cls(str(tmp_path), transform=transforms.ToTensor())[0]
    np.testing.assert_allclose(tensor.numpy(), written["train_list"][0][0].reshape(3, 32, 32) / 255.0, rtol=1e-6)


def test_missing_or_corrupt_batches(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use download=True"):
        datasets.CIFAR10(str(tmp_path))
    with pytest.raises(RuntimeError, match="Error downloading cifar-10-python.tar.gz"):
        datasets.CIFAR10(str(tmp_path), download=True)
    _make_cifar(str(tmp_path), datasets.CIFAR10, monkeypatch)
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "ab") as f:
        f.write(b"tampered")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path), train=False)


def test_download_unpacks_the_archive_already_present(tmp_path, monkeypatch):
    written, _ = _make_cifar(str(tmp_path), datasets.CIFAR100, monkeypatch)
    archive = tmp_path / "cifar-100-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "cifar-100-python", arcname="cifar-100-python")
    shutil.rmtree(tmp_path / "cifar-100-python")
    with pytest.raises(RuntimeError, match="does not match its md5"):
        datasets.CIFAR100(str(tmp_path), download=True)
    monkeypatch.setattr(datasets.CIFAR100, "tgz_md5", _md5(archive))
    ds = datasets.CIFAR100(str(tmp_path), train=False, download=True)
    assert ds.targets == written["test_list"][1]


@pytest.mark.parametrize("data_filter", [True, False])
def test_archives_cannot_write_outside_the_root(tmp_path, monkeypatch, data_filter):
    if not data_filter:  # the check numbatorch does itself on Pythons without tarfile's "data" filter
        monkeypatch.delattr(tarfile, "data_filter")
    for name, member in (("up.tar.gz", tarfile.TarInfo("../escape.txt")), ("link.tar.gz", tarfile.TarInfo("ln"))):
        if name == "link.tar.gz":
            member.type, member.linkname = tarfile.SYMTYPE, "../../outside"
        with tarfile.open(tmp_path / name, "w:gz") as tar:
            tar.addfile(member, io.BytesIO(b"") if member.isfile() else None)
        with pytest.raises(Exception, match="outside"):
            extract_archive(str(tmp_path / name), str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()
