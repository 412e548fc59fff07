"""transforms.v2: images transformed inside arbitrary samples, other leaves passed through; v2's conversions equal
the v1 pipeline they replace."""
import warnings

import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision import transforms
from numbatorch.vision.transforms import v2


def _image(seed=0):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8))


def test_to_image_to_dtype_equals_to_tensor():
    img = _image()
    v2_out = v2.Compose([v2.ToImage(), v2.ToDtype(numbatorch.float32, scale=True)])(img)
    np.testing.assert_allclose(v2_out.numpy(), transforms.ToTensor()(img).numpy(), rtol=1e-6)
    raw = v2.ToImage()(img)
    assert raw.dtype == numbatorch.uint8 and tuple(raw.shape) == (3, 6, 8)
    np.testing.assert_array_equal(v2.ToImage()(np.asarray(img)).numpy(), raw.numpy())
    assert v2.ToDtype(numbatorch.float32)(raw).numpy().max() > 1  # no scaling unless asked
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v2.ToTensor()
    assert "deprecated" in str(caught[0].message)


def test_samples_keep_their_structure_and_non_images():
    img = _image(1)
    flip = v2.RandomHorizontalFlip(p=1.0)
    flipped = np.asarray(img)[:, ::-1]
    out_img, label = flip(img, 7)
    assert label == 7 and np.array_equal(np.asarray(out_img), flipped)
    sample = {"image": img, "meta": {"id": 3, "tags": ["a", "b"]}}
    out = flip(sample)
    assert out["meta"] == {"id": 3, "tags": ["a", "b"]} and np.array_equal(np.asarray(out["image"]), flipped)
    tensor = v2.ToImage()(img)
    target = numbatorch.tensor([1, 2, 3])
    out_tensor, out_target = flip((tensor, target))  # the first tensor is the image, the others pass through
    np.testing.assert_array_equal(out_tensor.numpy(), tensor.numpy()[:, :, ::-1])
    assert out_target is target
    with pytest.raises(NotImplementedError, match="transforms one image per sample; this sample holds 2"):
        v2.RandomCrop(4)(img, _image(2))
    both = v2.Grayscale()(img, _image(2))  # deterministic transforms handle several images
    assert [i.mode for i in both] == ["L", "L"]


def test_containers_and_lambda():
    img = _image(3)
    assert v2.RandomApply([v2.RandomHorizontalFlip(p=1.0)], p=0.0)(img) is img
    chosen = v2.RandomChoice([v2.Grayscale(), v2.Grayscale()], p=[1, 3])(img)
    assert chosen.mode == "L"
    ordered = v2.RandomOrder([v2.CenterCrop(4), v2.Resize(2)])(img)
    assert ordered.size in ((2, 2), (4, 4))  # crop then resize, or resize then a padded center crop
    doubled = v2.Lambda(lambda x: x * 2, int)((img, 5))
    assert doubled[1] == 10 and doubled[0] is img
    model = numbatorch.nn.Sequential(v2.Normalize([0.5] * 3, [0.25] * 3))
    out = model(numbatorch.full((3, 2, 2), 0.75))
    np.testing.assert_allclose(out.numpy(), 1.0)
    assert v2.RandomResizedCrop(8).size == (8, 8) and "RandomResizedCrop" in repr(v2.RandomResizedCrop(8))
    with pytest.raises(TypeError, match="ToDtype takes a dtype"):
        v2.ToDtype({"image": numbatorch.float32})
