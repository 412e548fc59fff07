"""MNIST / FashionMNIST / KMNIST on idx files written on the fly: decoded arrays equal what was written."""
import gzip
import hashlib
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.utils.data import DataLoader
from numbatorch.vision import datasets, transforms
from numbatorch.vision.datasets.mnist import read_sn3_pascalvincent_tensor

_TYPE_CODES = {np.uint8: 8, np.int8: 9, np.int16: 11, np.int32: 12, np.float32: 13, np.float64: 14}


def _idx_bytes(array):
    """An idx file: magic (type code, ndim), big-endian dims, big-endian values."""
    array = np.asarray(array)
    header = (_TYPE_CODES[array.dtype.type] * 256 + array.ndim).to_bytes(4, "big")
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write_split(raw, prefix, images, labels, compress=False):
    os.makedirs(raw, exist_ok=True)
    for kind, array, ndim in (("images", images, 3), ("labels", labels, 1)):
        name = os.path.join(raw, f"{prefix}-{kind}-idx{ndim}-ubyte")
        data = _idx_bytes(array)
        if compress:
            with gzip.open(name + ".gz", "wb") as f:
                f.write(data)
        else:
            with open(name, "wb") as f:
                f.write(data)


def _make_mnist(root, cls="MNIST", compress=False, sizes=(5, 3)):
    rng = np.random.default_rng(7)
    made = {}
    for prefix, n in zip(("train", "t10k"), sizes):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        _write_split(os.path.join(root, cls, "raw"), prefix, images, labels, compress)
        made[prefix] = images, labels
    return made


@pytest.mark.parametrize("cls", ["MNIST", "FashionMNIST", "KMNIST"])
def test_raw_layout_decodes_to_what_was_written(tmp_path, cls):
    made = _make_mnist(tmp_path, cls)
    dataset_cls = getattr(datasets, cls)
    for train, prefix in ((True, "train"), (False, "t10k")):
        ds = dataset_cls(str(tmp_path), train=train)
        images, labels = made[prefix]
        assert ds.data.dtype == numbatorch.uint8 and ds.targets.dtype == numbatorch.int64
        np.testing.assert_array_equal(ds.data.numpy(), images)
        np.testing.assert_array_equal(ds.targets.numpy(), labels.astype(np.int64))
        assert len(ds) == len(images)
        img, target = ds[1]
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
        np.testing.assert_array_equal(np.asarray(img), images[1])
        assert type(target) is int and target == labels[1]
    assert len(ds.classes) == 10 and ds.class_to_idx[ds.classes[3]] == 3
    assert ds.raw_folder == os.path.join(str(tmp_path), cls, "raw")
    assert f"Dataset {cls}" in repr(ds) and "Split: Test" in repr(ds)


def test_transforms_and_dataloader(tmp_path):
    made = _make_mnist(tmp_path)
    ds = datasets.MNIST(tmp_path, transform=transforms.ToTensor(), target_transform=lambda t: t * 10)
    img, target = ds[2]
    assert tuple(img.shape) == (1, 28, 28)
    np.testing.assert_allclose(img.numpy()[0], made["train"][0][2] / 255.0, rtol=1e-6)
    assert target == 10 * int(made["train"][1][2])
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(x.shape) == (4, 1, 28, 28) and y.numpy().tolist() == [10 * int(v) for v in made["train"][1][:4]]
    assert "StandardTransform" in repr(ds) and "ToTensor" in repr(ds)


def test_missing_files_raise_torchvision_errors(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it"):
        datasets.MNIST(str(tmp_path))
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz") as info:
        datasets.FashionMNIST(str(tmp_path), download=True)
    assert os.path.join("FashionMNIST", "raw") in str(info.value)


def test_download_unpacks_verified_archives_already_present(tmp_path, monkeypatch):
    made = _make_mnist(tmp_path, "KMNIST", compress=True)
    raw = os.path.join(str(tmp_path), "KMNIST", "raw")
    # torchvision unpacks an archive whose md5 matches; these tiny ones stand in for the real files.
    resources = [(name, hashlib.md5(open(os.path.join(raw, name), "rb").read()).hexdigest())
                 for name, _ in datasets.KMNIST.resources]
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.KMNIST(str(tmp_path), train=False)
    with pytest.raises(RuntimeError, match="does not match its md5"):
        datasets.KMNIST(str(tmp_path), download=True)  # the real md5s: these files are not the real ones
    monkeypatch.setattr(datasets.KMNIST, "resources", resources)
    ds = datasets.KMNIST(str(tmp_path), train=False, download=True)
    np.testing.assert_array_equal(ds.data.numpy(), made["t10k"][0])
    assert os.path.isfile(os.path.join(raw, "train-labels-idx1-ubyte"))


def test_legacy_processed_files_written_by_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    processed = tmp_path / "MNIST" / "processed"
    os.makedirs(processed)
    written = {}
    for name, n in (("training.pt", 4), ("test.pt", 2)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n)
        torch.save((torch.from_numpy(images), torch.from_numpy(labels)), processed / name)
        written[name] = images, labels
    for train, name in ((True, "training.pt"), (False, "test.pt")):
        ds = datasets.MNIST(str(tmp_path), train=train)
        np.testing.assert_array_equal(ds.data.numpy(), written[name][0])
        np.testing.assert_array_equal(ds.targets.numpy(), written[name][1])
        np.testing.assert_array_equal(np.asarray(ds[1][0]), written[name][0][1])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_element_types_are_big_endian(tmp_path, dtype):
    values = (np.arange(24).reshape(2, 3, 4) * 37 - 300).astype(dtype)
    path = tmp_path / "x-idx3"
    path.write_bytes(_idx_bytes(values))
    decoded = read_sn3_pascalvincent_tensor(str(path))
    assert decoded.numpy().dtype == values.dtype
    np.testing.assert_array_equal(decoded.numpy(), values)


def test_malformed_idx_files_name_the_problem(tmp_path):
    bad_magic = tmp_path / "bad"
    bad_magic.write_bytes((7 * 256 + 3).to_bytes(4, "big") + bytes(12))
    with pytest.raises(ValueError, match="type code 7"):
        read_sn3_pascalvincent_tensor(str(bad_magic))
    short = tmp_path / "short"
    short.write_bytes(_idx_bytes(np.zeros((2, 2, 2), np.uint8))[:-3])
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\) \(8 values\) but the file holds 5"):
        read_sn3_pascalvincent_tensor(str(short))
    raw = tmp_path / "MNIST" / "raw"
    _write_split(str(raw), "train", np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.int32))
    _write_split(str(raw), "t10k", np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8))
    with pytest.raises(TypeError, match=r"x should be of dtype \w+.uint8 instead of \w+.int32"):
        datasets.MNIST(str(tmp_path))


def test_emnist_split_files_and_zip_download(tmp_path, monkeypatch):
    rng = np.random.default_rng(9)
    raw = tmp_path / "EMNIST" / "raw"
    os.makedirs(raw)
    images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = rng.integers(1, 27, 4, dtype=np.uint8)
    # EMNIST ships one gzip.zip holding gzip/emnist-<split>-<train|test>-<kind>-idx?-ubyte.gz files.
    with zipfile.ZipFile(raw / "gzip.zip", "w") as archive:
        for kind, array, ndim in (("images", images, 3), ("labels", labels, 1)):
            archive.writestr(f"gzip/emnist-letters-test-{kind}-idx{ndim}-ubyte.gz", gzip.compress(_idx_bytes(array)))
    monkeypatch.setattr(datasets.EMNIST, "md5", hashlib.md5((raw / "gzip.zip").read_bytes()).hexdigest())
    ds = datasets.EMNIST(str(tmp_path), split="letters", train=False, download=True)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    assert ds.classes[0] == "N/A" and ds.classes[1] == "a" and len(ds.classes) == 27
    assert not (raw / "gzip").exists()
    assert len(datasets.EMNIST.classes_split_dict["bymerge"]) == 47
    with pytest.raises(ValueError, match="Unknown value 'words' for argument split. Valid values are {'byclass', "):
        datasets.EMNIST(str(tmp_path), split="words")
