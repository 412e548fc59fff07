"""datasets/: the CIFAR-10 archive -> cifar2 folder conversion (on a tiny synthetic archive: nothing is ever
downloaded in tests), the refusal paths of make_cifar2.py, and the tiny generated image folder."""
import importlib.util
import io
import os
import pickle
import tarfile

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_CIFAR2 = os.path.join(os.path.dirname(REPO_ROOT), "shared", "datasets", "cifar2")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO_ROOT, "datasets", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_cifar2 = load("make_cifar2")
tiny_imagefolder = load("tiny_imagefolder")


def synthetic_image(label, index):
    """A 32x32x3 image whose channels and halves have distinct flat values (so JPEG keeps them closely)."""
    image = np.empty((32, 32, 3), dtype=np.uint8)
    image[:16] = (200, 40 + 10 * label, 20 + index % 50)
    image[16:] = (30, 160, 220 - 10 * label)
    return image


def write_synthetic_archive(path, batch_labels):
    """A tar.gz laid out like cifar-10-python.tar.gz: pickled dicts with byte-string keys, rows of
    1024 red + 1024 green + 1024 blue values."""
    expected = {}
    with tarfile.open(path, "w:gz") as archive:
        for name, labels in batch_labels.items():
            images = [synthetic_image(label, i) for i, label in enumerate(labels)]
            rows = np.stack([img.transpose(2, 0, 1).reshape(-1) for img in images])
            payload = pickle.dumps({b"batch_label": name.encode(), b"labels": list(labels), b"data": rows,
                                    b"filenames": [f"{i}.png".encode() for i in range(len(labels))]}, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
            expected[name] = images
    return expected


def test_archive_to_cifar2_tree(tmp_path):
    rng = np.random.default_rng(0)
    batch_labels = {name: rng.integers(0, 10, size=12).tolist() for name in make_cifar2.TRAIN_BATCHES}
    batch_labels["test_batch"] = [3, 1, 0, 9, 1, 1, 0]
    images = write_synthetic_archive(tmp_path / "cifar.tar.gz", batch_labels)
    dest = tmp_path / "cifar2"
    make_cifar2.build_from_archive(str(tmp_path / "cifar.tar.gz"), str(dest), expected_counts=None)

    for split, batches in (("train", make_cifar2.TRAIN_BATCHES), ("test", make_cifar2.TEST_BATCHES)):
        assert sorted(os.listdir(dest / split)) == ["0_airplane", "1_automobile"]
        for label, folder in ((0, "0_airplane"), (1, "1_automobile")):
            # images of this class, numbered in the order of the batches
            wanted = [img for name in batches for img, lab in zip(images[name], batch_labels[name]) if lab == label]
            files = sorted(os.listdir(dest / split / folder), key=lambda f: int(f.split(".")[0]))
            assert files == [f"{i}.jpg" for i in range(len(wanted))]
            for file, img in zip(files, wanted):
                with Image.open(dest / split / folder / file) as saved:
                    assert saved.format == "JPEG" and saved.size == (32, 32) and saved.mode == "RGB"
                    got = np.asarray(saved, dtype=np.int16)
                # JPEG is lossy: flat areas come back within a few levels, away from the halves' border
                assert np.abs(got[2:14] - img[2:14]).max() <= 12
                assert np.abs(got[18:30] - img[18:30]).max() <= 12
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".cifar2-")]  # staging folder cleaned up


def test_archive_with_wrong_counts_is_rejected(tmp_path):
    write_synthetic_archive(tmp_path / "cifar.tar.gz", {name: [0, 1] for name in
                                                        make_cifar2.TRAIN_BATCHES + make_cifar2.TEST_BATCHES})
    with pytest.raises(ValueError, match="expected 5000"):
        make_cifar2.build_from_archive(str(tmp_path / "cifar.tar.gz"), str(tmp_path / "cifar2"))
    assert not (tmp_path / "cifar2").exists()


def test_never_downloads_when_told_not_to(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tried to download")
    monkeypatch.setattr(make_cifar2, "download", no_network)
    with pytest.raises(SystemExit, match="not found"):
        make_cifar2.main(["--dest", str(tmp_path / "cifar2"), "--cache-dir", str(tmp_path), "--no-download"])


def test_archive_with_wrong_checksum_is_refused(tmp_path):
    (tmp_path / make_cifar2.ARCHIVE_NAME).write_bytes(b"not the archive")
    with pytest.raises(SystemExit, match="MD5 mismatch"):
        make_cifar2.main(["--dest", str(tmp_path / "cifar2"), "--cache-dir", str(tmp_path)])


def test_complete_tree_is_left_alone(tmp_path, monkeypatch):
    counts = {"train": 3, "test": 2}
    tiny_imagefolder.make_tiny_imagefolder(str(tmp_path / "c2"), n_train=3, n_test=2)
    assert make_cifar2.tree_is_complete(str(tmp_path / "c2"), counts)
    os.remove(tmp_path / "c2" / "test" / "1_automobile" / "0.jpg")
    assert not make_cifar2.tree_is_complete(str(tmp_path / "c2"), counts)
    monkeypatch.setattr(make_cifar2, "tree_is_complete", lambda dest: True)
    assert make_cifar2.main(["--dest", str(tmp_path / "c2"), "--no-download"]) == str(tmp_path / "c2")


@pytest.mark.skipif(not os.path.isdir(SHARED_CIFAR2), reason="no shared cifar2 copy on this machine")
def test_shared_cifar2_copy_is_complete():
    assert make_cifar2.tree_is_complete(SHARED_CIFAR2)


def test_tiny_imagefolder_layout_and_classes_differ(tmp_path):
    root = tiny_imagefolder.make_tiny_imagefolder(str(tmp_path), n_train=4, n_test=2)
    means = {}
    for folder in ("0_airplane", "1_automobile"):
        assert sorted(os.listdir(os.path.join(root, "train", folder))) == [f"{i}.jpg" for i in range(4)]
        assert len(os.listdir(os.path.join(root, "test", folder))) == 2
        pixels = [np.asarray(Image.open(os.path.join(root, "train", folder, f"{i}.jpg")), dtype=float)
                  for i in range(4)]
        means[folder] = np.mean(pixels, axis=(0, 1, 2))
    # airplanes are bluer than automobiles, automobiles redder
    assert means["0_airplane"][2] > means["1_automobile"][2] + 15
    assert means["1_automobile"][0] > means["0_airplane"][0] + 15
