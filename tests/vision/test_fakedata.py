"""FakeData: reproducible per index, leaves the global generator alone, torchvision's shapes and types."""
import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision import datasets, transforms


def test_items_are_reproducible_and_shaped():
    ds = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=3)
    assert len(ds) == 4
    img, target = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (5, 6)
    assert type(target) is int and 0 <= target < 3
    again, same = ds[2]
    np.testing.assert_array_equal(np.asarray(img), np.asarray(again))
    assert target == same
    shifted = datasets.FakeData(size=4, image_size=(3, 6, 5), num_classes=3, random_offset=1)
    np.testing.assert_array_equal(np.asarray(shifted[1][0]), np.asarray(ds[2][0]))
    assert not np.array_equal(np.asarray(ds[1][0]), np.asarray(ds[2][0]))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]


def test_global_generator_is_untouched():
    numbatorch.manual_seed(5)
    expected = numbatorch.randn(3)
    numbatorch.manual_seed(5)
    datasets.FakeData(size=2, image_size=(1, 4, 4))[1]
    np.testing.assert_array_equal(numbatorch.randn(3).numpy(), expected.numpy())


def test_grayscale_and_transform():
    ds = datasets.FakeData(size=2, image_size=(1, 7, 4), transform=transforms.ToTensor(),
                           target_transform=lambda t: t + 100)
    img, target = ds[0]
    assert tuple(img.shape) == (1, 7, 4) and img.dtype == numbatorch.float32
    assert 100 <= target < 110
