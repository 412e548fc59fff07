"""Build the cifar2 ImageFolder tree from the official CIFAR-10 python archive.

cifar2 is CIFAR-10's first two classes (label 0 airplane, label 1 automobile) as 32x32 JPEG files:

    cifar2/train/0_airplane/{0..4999}.jpg    cifar2/train/1_automobile/{0..4999}.jpg
    cifar2/test/0_airplane/{0..999}.jpg      cifar2/test/1_automobile/{0..999}.jpg

Images are numbered per class in the order they appear in ``data_batch_1`` ... ``data_batch_5`` (train) and
``test_batch`` (test), and saved with Pillow's default JPEG settings (quality 75, 4:2:0 chroma subsampling),
the settings the copy in ``../shared/datasets/cifar2`` was written with.

Nothing is done when ``--dest`` already holds the complete tree (the CI machines have it). Otherwise the
archive given by ``--archive`` (or found in ``--cache-dir``) is used, and only when none is present, and
``--no-download`` is not given, it is downloaded and its MD5 checked before use.

    python datasets/make_cifar2.py --dest datasets/cifar2
    python datasets/make_cifar2.py --dest /tmp/cifar2 --archive ~/Downloads/cifar-10-python.tar.gz
"""
import argparse
import hashlib
import io
import os
import pickle
import shutil
import sys
import tarfile
import tempfile
import urllib.request

import numpy as np

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE_NAME = "cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
BATCH_DIR = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES = ("test_batch",)
CLASSES = {0: "0_airplane", 1: "1_automobile"}
EXPECTED_COUNTS = {"train": 5000, "test": 1000}  # images per class


def md5_of(path, chunk_size=1 << 20):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_is_complete(dest, counts=EXPECTED_COUNTS):
    """True when ``dest`` holds every split and class folder with the expected number of JPEG files."""
    for split, per_class in counts.items():
        for folder in CLASSES.values():
            path = os.path.join(dest, split, folder)
            if not os.path.isdir(path) or sum(f.endswith(".jpg") for f in os.listdir(path)) != per_class:
                return False
    return True


def download(url, path, md5):
    """Download ``url`` to ``path`` through a temporary file; raise if its MD5 is not ``md5``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url) as response:
            shutil.copyfileobj(response, out)
        got = md5_of(tmp)
        if got != md5:
            raise RuntimeError(f"{url}: MD5 is {got}, expected {md5}; the download is corrupt, try again")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_batch(archive, name):
    """(images uint8 (N, 32, 32, 3), labels int64 (N,)) of one pickled CIFAR-10 batch inside the open tar."""
    member = archive.extractfile(f"{BATCH_DIR}/{name}")
    if member is None:
        raise FileNotFoundError(f"{name} is missing from the archive")
    # The archive's batches are pickled dicts with byte-string keys (Python 2 pickles).
    batch = pickle.load(io.BytesIO(member.read()), encoding="bytes")
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    labels = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"{name}: unexpected data shape {data.shape} for {len(labels)} labels")
    # Each row is 1024 red, then 1024 green, then 1024 blue values, each plane row-major 32x32.
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def write_split(archive, batches, split_dir):
    """Save the airplane and automobile images of ``batches`` as numbered JPEGs; returns counts per class."""
    from PIL import Image
    counts = {label: 0 for label in CLASSES}
    for folder in CLASSES.values():
        os.makedirs(os.path.join(split_dir, folder), exist_ok=True)
    for name in batches:
        images, labels = read_batch(archive, name)
        for image, label in zip(images, labels):
            label = int(label)
            if label not in CLASSES:
                continue
            Image.fromarray(image).save(
                os.path.join(split_dir, CLASSES[label], f"{counts[label]}.jpg"), format="JPEG")
            counts[label] += 1
    return counts


def build_from_archive(archive_path, dest, expected_counts=EXPECTED_COUNTS):
    """Write the cifar2 tree into ``dest`` (built in a temporary sibling folder, then renamed into place)."""
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(dir=parent, prefix=".cifar2-")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for split, batches in (("train", TRAIN_BATCHES), ("test", TEST_BATCHES)):
                counts = write_split(archive, batches, os.path.join(staging, split))
                for label, n in counts.items():
                    if expected_counts is not None and n != expected_counts[split]:
                        raise ValueError(f"{split}: {n} images of class {CLASSES[label]}, expected "
                                         f"{expected_counts[split]}; is this the CIFAR-10 python archive?")
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.replace(staging, dest)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--dest", default=os.path.join(here, "cifar2"),
                        help="folder to create (default datasets/cifar2)")
    parser.add_argument("--archive", help=f"an existing {ARCHIVE_NAME} (its MD5 is checked)")
    parser.add_argument("--cache-dir", default=here, help="where the archive is looked for and downloaded to")
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading the archive")
    parser.add_argument("--force", action="store_true", help="rebuild even if --dest is already complete")
    args = parser.parse_args(argv)

    if not args.force and tree_is_complete(args.dest):
        print(f"{args.dest} already holds cifar2: nothing to do")
        return args.dest
    archive = args.archive or os.path.join(args.cache_dir, ARCHIVE_NAME)
    if not os.path.exists(archive):
        if args.archive or args.no_download:
            sys.exit(f"{archive} not found (and downloading is off)")
        print(f"downloading {URL} to {archive} ...")
        download(URL, archive, ARCHIVE_MD5)
    elif md5_of(archive) != ARCHIVE_MD5:
        sys.exit(f"{archive}: MD5 mismatch (expected {ARCHIVE_MD5}); delete it and run again to re-download")
    build_from_archive(archive, args.dest)
    print(f"wrote cifar2 to {args.dest}")
    return args.dest


if __name__ == "__main__":
    main()
