"""``MNIST``, ``FashionMNIST`` and ``KMNIST``: the idx ("SN3 Pascal Vincent") files under ``root/<Class>/raw``."""
import os
import shutil
import string
import warnings

import numpy as np
from PIL import Image

import numbatorch

from .utils import check_integrity, download_and_extract_archive, extract_archive, verify_str_arg
from .vision import VisionDataset

__all__ = ["EMNIST", "FashionMNIST", "KMNIST", "MNIST", "read_image_file", "read_label_file",
           "read_sn3_pascalvincent_tensor"]

# idx type code -> element type; the file stores big-endian values.
SN3_PASCALVINCENT_TYPEMAP = {8: np.uint8, 9: np.int8, 11: np.int16, 12: np.int32, 13: np.float32, 14: np.float64}


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an idx file into a tensor of the shape and element type its header declares."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path} is not an idx file: {len(data)} bytes, shorter than its 4-byte header")
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in SN3_PASCALVINCENT_TYPEMAP:
        raise ValueError(f"{path} is not an idx file: magic number {magic:#010x} gives {nd} dimensions and type "
                         f"code {ty} (expected 1-3 dimensions and a type code in "
                         f"{sorted(SN3_PASCALVINCENT_TYPEMAP)})")
    offset = 4 * (nd + 1)
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dtype = np.dtype(SN3_PASCALVINCENT_TYPEMAP[ty]).newbyteorder(">")
    parsed = np.frombuffer(data, dtype=dtype, offset=offset)
    count = int(np.prod(shape))
    if parsed.size != count and (strict or parsed.size < count):
        raise ValueError(f"{path}: the header declares shape {tuple(shape)} ({count} values) but the file holds "
                         f"{parsed.size}")
    return numbatorch.from_numpy(parsed[:count].astype(dtype.newbyteorder("=")).reshape(shape))


def read_label_file(path):
    """A 1-D uint8 idx file as int64 labels."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != numbatorch.uint8:
        raise TypeError(f"x should be of dtype {numbatorch.uint8} instead of {x.dtype}")
    if x.ndimension() != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndimension()}")
    return x.long()


def read_image_file(path):
    """A 3-D uint8 idx file as an (N, H, W) uint8 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != numbatorch.uint8:
        raise TypeError(f"x should be of dtype {numbatorch.uint8} instead of {x.dtype}")
    if x.ndimension() != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndimension()}")
    return x


class MNIST(VisionDataset):
    """Handwritten digits: ``data`` is an (N, 28, 28) uint8 tensor, ``targets`` int64; items are
    (grayscale PIL image, int)."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        self.train = train
        # processed/training.pt + test.pt: the layout torchvision wrote before it read raw/ directly.
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def train_labels(self):
        """Deprecated name of ``targets``."""
        warnings.warn("train_labels has been renamed targets")
        return self.targets

    @property
    def test_labels(self):
        """Deprecated name of ``targets``."""
        warnings.warn("test_labels has been renamed targets")
        return self.targets

    @property
    def train_data(self):
        """Deprecated name of ``data``."""
        warnings.warn("train_data has been renamed data")
        return self.data

    @property
    def test_data(self):
        """Deprecated name of ``data``."""
        warnings.warn("test_data has been renamed data")
        return self.data

    @property
    def raw_folder(self):
        """``root/<Class>/raw``: the idx files."""
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        """``root/<Class>/processed``: the legacy ``training.pt``/``test.pt``."""
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        """Class name -> index."""
        return {name: i for i, name in enumerate(self.classes)}

    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, name))
                   for name in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        name = self.training_file if self.train else self.test_file
        return numbatorch.load(os.path.join(self.processed_folder, name), weights_only=True)

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        if len(data) != len(targets):
            raise ValueError(f"{self.raw_folder}: {prefix} has {len(data)} images but {len(targets)} labels")
        return data, targets

    def _check_exists(self):
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(name)[0]))
                   for name, _ in self.resources)

    def download(self):
        """Unpack the ``.gz`` files found in ``raw_folder`` (numbatorch never fetches them)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            download_and_extract_archive(self.mirrors[0] + filename, download_root=self.raw_folder,
                                         filename=filename, md5=md5)

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's article images in MNIST's format, ten clothing classes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: cursive Japanese characters in MNIST's format."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """NIST handwritten characters in MNIST's format, one of six ``split``s (byclass, bymerge, balanced, letters,
    digits, mnist); the images are stored transposed, as torchvision returns them."""

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    # Letters whose upper and lower case look alike are one class in the merged splits.
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = self._training_file(split)
        self.test_file = self._test_file(split)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @staticmethod
    def _training_file(split):
        return f"training_{split}.pt"

    @staticmethod
    def _test_file(split):
        return f"test_{split}.pt"

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        """Path of this split's image idx file."""
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        """Path of this split's label idx file."""
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _check_exists(self):
        return all(check_integrity(path) for path in (self.images_file, self.labels_file))

    def download(self):
        """Unpack ``raw_folder/gzip.zip`` and the ``.gz`` files in it (numbatorch never fetches them)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, name), self.raw_folder)
        shutil.rmtree(gzip_folder)
