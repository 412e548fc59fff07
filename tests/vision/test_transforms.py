"""Transforms compared pixel-for-pixel with hand computations (numpy), on PIL images and tensors."""
import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision import transforms as T
from numbatorch.vision.transforms import functional as F


@pytest.fixture
def rgb():
    return np.random.default_rng(0).integers(0, 256, size=(7, 9, 3), dtype=np.uint8)


def _pil(array):
    return Image.fromarray(array)


def _t(array):
    return numbatorch.from_numpy(np.ascontiguousarray(array))


def test_to_tensor_and_back(rgb):
    out = T.ToTensor()(_pil(rgb)).numpy()
    assert out.dtype == np.float32 and out.shape == (3, 7, 9)
    np.testing.assert_allclose(out, rgb.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(T.PILToTensor()(_pil(rgb)).numpy(), rgb.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(T.ToPILImage()(T.PILToTensor()(_pil(rgb)))), rgb)
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert T.ToTensor()(gray).numpy().shape == (1, 3, 4)
    # Floats go back to uint8 by truncating x * 255, like torchvision.
    back = np.asarray(T.ToPILImage()(_t(np.full((1, 2, 2), 0.999, dtype=np.float32))))
    assert back.tolist() == [[254, 254], [254, 254]]


def test_normalize_and_convert_dtype(rgb):
    x = rgb.transpose(2, 0, 1).astype(np.float32) / 255
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]
    out = T.Normalize(mean, std)(_t(x)).numpy()
    np.testing.assert_allclose(out, (x - np.array(mean, np.float32)[:, None, None])
                               / np.array(std, np.float32)[:, None, None], rtol=1e-6)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(mean, std)(_t(rgb.transpose(2, 0, 1)))
    as_float = T.ConvertImageDtype(numbatorch.float32)(_t(rgb.transpose(2, 0, 1))).numpy()
    np.testing.assert_allclose(as_float, rgb.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    as_uint8 = T.ConvertImageDtype(numbatorch.uint8)(_t(np.array([[[0.0, 0.5, 1.0]]], np.float32)))
    assert as_uint8.numpy().tolist() == [[[0, 127, 255]]]


@pytest.mark.parametrize("to_input", [_pil, lambda a: _t(a.transpose(2, 0, 1))], ids=["pil", "tensor"])
def test_deterministic_geometry(rgb, to_input):
    def out(img):
        return np.asarray(img) if isinstance(img, Image.Image) else img.numpy().transpose(1, 2, 0)
    img = to_input(rgb)
    np.testing.assert_array_equal(out(T.RandomHorizontalFlip(p=1.0)(img)), rgb[:, ::-1])
    np.testing.assert_array_equal(out(T.RandomVerticalFlip(p=1.0)(img)), rgb[::-1])
    np.testing.assert_array_equal(out(T.RandomHorizontalFlip(p=0.0)(img)), rgb)
    # Centre crop 3x5 of 7x9: top = round(2.0) = 2, left = round(2.0) = 2.
    np.testing.assert_array_equal(out(T.CenterCrop((3, 5))(img)), rgb[2:5, 2:7])
    np.testing.assert_array_equal(out(F.crop(img, 1, 2, 3, 4)), rgb[1:4, 2:6])
    for mode in ("constant", "edge", "reflect", "symmetric"):
        padded = out(T.Pad([1, 2, 3, 4], fill=0, padding_mode=mode)(img))
        np.testing.assert_array_equal(padded, np.pad(rgb, [(2, 4), (1, 3), (0, 0)], mode=mode))
    # 90 degrees counter-clockwise with expand is an exact np.rot90.
    np.testing.assert_array_equal(out(F.rotate(img, 90, expand=True)), np.rot90(rgb))
    # Nearest downscale by 2 picks source pixel floor((i + 0.5) * 2) = 2 i + 1.
    small = out(T.Resize((3, 4), interpolation=T.InterpolationMode.NEAREST)(
        to_input(rgb[:6, :8])))
    np.testing.assert_array_equal(small, rgb[1:6:2, 1:8:2])


def test_resize_keeps_aspect_for_int_size():
    img = _pil(np.zeros((10, 20, 3), np.uint8))
    assert T.Resize(5)(img).size == (10, 5)
    assert tuple(T.Resize(5)(_t(np.zeros((3, 10, 20), np.float32))).shape) == (3, 5, 10)


def test_grayscale_and_color_tensor_formulas(rgb):
    x = rgb.transpose(2, 0, 1).astype(np.float32) / 255
    luma = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    np.testing.assert_allclose(T.Grayscale()(_t(x)).numpy()[0], luma, rtol=1e-5)
    assert T.Grayscale(3)(_t(x)).numpy().shape == (3, 7, 9)
    np.testing.assert_allclose(F.adjust_brightness(_t(x), 1.5).numpy(), np.clip(1.5 * x, 0, 1), rtol=1e-6)
    expected = np.clip(0.5 * x + 0.5 * luma.mean(), 0, 1)
    np.testing.assert_allclose(F.adjust_contrast(_t(x), 0.5).numpy(), expected, rtol=1e-5)
    expected = np.clip(2.0 * x - 1.0 * luma[None], 0, 1)
    np.testing.assert_allclose(F.adjust_saturation(_t(x), 2.0).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(F.adjust_hue(_t(x), 0.0).numpy(), x, atol=1e-6)
    # Hue shift by 1/3 turns pure red into pure green.
    red = np.zeros((3, 1, 1), np.float32)
    red[0] = 1
    np.testing.assert_allclose(F.adjust_hue(_t(red), 1 / 3).numpy().ravel(), [0, 1, 0], atol=1e-5)
    gray_pil = np.asarray(T.Grayscale()(_pil(rgb)))
    assert gray_pil.shape == (7, 9)


def test_gaussian_blur_matches_direct_convolution(rgb):
    x = rgb.transpose(2, 0, 1).astype(np.float64) / 255
    sigma, k = 0.8, 3
    w = np.exp(-0.5 * (np.array([-1.0, 0.0, 1.0]) / sigma) ** 2)
    w /= w.sum()
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1)], mode="reflect")
    expected = np.zeros_like(x)
    for dy in range(3):
        for dx in range(3):
            expected += w[dy] * w[dx] * padded[:, dy:dy + 7, dx:dx + 9]
    out = T.GaussianBlur(k, sigma=sigma)(_t(x)).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)


def test_random_erasing_box(rgb):
    x = rgb.transpose(2, 0, 1).astype(np.float32) / 255
    out = T.RandomErasing(p=1.0, value=0.25)(_t(x)).numpy()
    changed = np.any(out != x, axis=0)
    rows, cols = np.nonzero(changed)
    assert rows.size > 0
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    assert np.all(out[:, box[0], box[1]] == 0.25)
    outside = ~np.zeros_like(changed)
    outside[box] = False
    np.testing.assert_array_equal(out[:, outside], x[:, outside])


def test_random_transforms_reproducible_under_manual_seed(rgb):
    pipeline = T.Compose([
        T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.RandomRotation(45),
        T.RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5),
        T.ColorJitter(0.3, 0.3, 0.3, 0.1), T.RandomGrayscale(0.5), T.RandomCrop(5, padding=1),
        T.RandomResizedCrop(4), T.RandomApply([T.GaussianBlur(3)]), T.RandomChoice([T.Grayscale(3), T.Lambda(lambda i: i)]),
        T.RandomOrder([T.RandomHorizontalFlip(), T.RandomVerticalFlip()]), T.ToTensor(), T.RandomErasing(),
    ])
    numbatorch.manual_seed(42)
    first = [pipeline(_pil(rgb)).numpy() for _ in range(4)]
    numbatorch.manual_seed(42)
    second = [pipeline(_pil(rgb)).numpy() for _ in range(4)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert first[0].shape == (3, 4, 4)


def test_rotation_and_crop_params():
    numbatorch.manual_seed(0)
    angles = [T.RandomRotation.get_params([-45.0, 45.0]) for _ in range(200)]
    assert -45 <= min(angles) and max(angles) <= 45 and np.std(angles) > 15
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match="Required crop size"):
        T.RandomCrop(10)(_pil(np.zeros((4, 4, 3), np.uint8)))
    padded = T.RandomCrop(6, pad_if_needed=True)(_pil(np.zeros((4, 4, 3), np.uint8)))
    assert padded.size == (6, 6)
