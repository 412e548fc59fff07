"""ImageFolder / DatasetFolder on small folders made on the fly, and on cifar2 when present."""
import os

import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.utils.data import DataLoader
from numbatorch.vision import datasets, transforms

CIFAR2 = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets", "cifar2")


def _write_images(root, layout):
    rng = np.random.default_rng(0)
    for cls, names in layout.items():
        os.makedirs(root / cls, exist_ok=True)
        for name in names:
            Image.fromarray(rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)).save(root / cls / name)


def test_image_folder_classes_samples_targets(tmp_path):
    _write_images(tmp_path, {"dog": ["b.png", "a.png"], "cat": ["z.png"]})
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor(), target_transform=float)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.basename(p) for p, _ in ds.samples] == ["z.png", "a.png", "b.png"]
    assert ds.targets == [0, 1, 1] and ds.imgs == ds.samples
    image, target = ds[1]
    expected = np.asarray(Image.open(tmp_path / "dog" / "a.png")).transpose(2, 0, 1) / 255.0
    np.testing.assert_allclose(image.numpy(), expected, rtol=1e-6)
    assert target == 1.0
    only_b = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith("b.png"),
                                  allow_empty=True)
    assert len(only_b) == 1


def test_empty_class_folder_error_names_it(tmp_path):
    _write_images(tmp_path, {"full": ["a.png"]})
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="empty") as info:
        datasets.ImageFolder(str(tmp_path))
    assert str(tmp_path) in str(info.value)
    assert len(datasets.ImageFolder(str(tmp_path), allow_empty=True)) == 1
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "empty"))


def test_corrupt_image_error_names_file(tmp_path):
    _write_images(tmp_path, {"a": ["good.png"]})
    (tmp_path / "a" / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    ds = datasets.ImageFolder(str(tmp_path))
    bad = [i for i, (p, _) in enumerate(ds.samples) if p.endswith("bad.jpg")][0]
    with pytest.raises(OSError, match="bad.jpg"):
        ds[bad]


def test_dataset_folder_with_custom_loader(tmp_path):
    os.makedirs(tmp_path / "x")
    (tmp_path / "x" / "v.npy").write_bytes(b"")
    ds = datasets.DatasetFolder(str(tmp_path), loader=lambda p: os.path.basename(p), extensions=(".npy",))
    assert ds[0] == ("v.npy", 0)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=str)


@pytest.mark.skipif(not os.path.isdir(CIFAR2), reason="cifar2 not present")
def test_tutorial_cifar2_batches():
    augment = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.RandomVerticalFlip(),
                                  transforms.RandomRotation(45), transforms.ToTensor()])
    ds = datasets.ImageFolder(os.path.join(CIFAR2, "test"), transform=augment,
                              target_transform=lambda x: numbatorch.tensor([x]).float())
    assert ds.class_to_idx == {"0_airplane": 0, "1_automobile": 1}
    features, labels = next(iter(DataLoader(ds, batch_size=50, shuffle=True, num_workers=2)))
    assert tuple(features.shape) == (50, 3, 32, 32) and tuple(labels.shape) == (50, 1)
    assert features.numpy().dtype == np.float32 and 0.0 <= features.numpy().min() <= features.numpy().max() <= 1.0


def _paths_in(ds):
    return sorted((os.path.realpath(p), t) for p, t in ds.samples)


def test_symlink_loop_back_to_root_finishes_with_each_image_once(tmp_path):
    root = tmp_path / "root"
    _write_images(root, {"cat": ["a.png", "b.png"], "dog": ["c.png"]})
    os.makedirs(root / "cat" / "deeper")
    _write_images(root / "cat", {"deeper": ["d.png"]})
    os.symlink(root, root / "cat" / "loop")  # cat/loop -> root: would re-enter cat and dog forever
    os.symlink(root / "cat", root / "cat" / "deeper" / "up")  # back up to the class folder itself
    ds = datasets.ImageFolder(str(root))
    expected = [(str(root / "cat" / "a.png"), 0), (str(root / "cat" / "b.png"), 0),
                (str(root / "cat" / "deeper" / "d.png"), 0), (str(root / "dog" / "c.png"), 1)]
    assert _paths_in(ds) == sorted((os.path.realpath(p), t) for p, t in expected)
    assert len(ds.samples) == 4


def test_symlinked_class_folder_and_subfolder_are_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    _write_images(elsewhere, {"birds": ["x.png", "y.png"], "extra": ["z.png"]})
    root = tmp_path / "root"
    _write_images(root, {"cat": ["a.png"]})
    os.symlink(elsewhere / "birds", root / "bird")  # a whole class that lives elsewhere
    os.symlink(elsewhere / "extra", root / "cat" / "more")  # a sub-folder of a class
    os.symlink(elsewhere / "extra", root / "cat" / "again")  # the same real folder twice: counted once
    ds = datasets.ImageFolder(str(root))
    assert ds.classes == ["bird", "cat"]
    assert [os.path.basename(p) for p, _ in ds.samples if ds.classes[_] == "bird"] == ["x.png", "y.png"]
    cat = [os.path.relpath(p, root) for p, t in ds.samples if t == 1]
    # The same real folder through two links: listed once, under the first name, every time.
    assert cat == [os.path.join("cat", "a.png"), os.path.join("cat", "again", "z.png")]
    # Paths go through the link, as os.walk(followlinks=True) spells them.
    assert ds.samples[0][0] == os.path.join(str(root), "bird", "x.png")
    image, _ = ds[0]
    np.testing.assert_array_equal(np.asarray(image), np.asarray(Image.open(elsewhere / "birds" / "x.png")))
