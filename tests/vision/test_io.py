"""numbatorch.vision.io: image files to uint8 (C, H, W) tensors and back, checked against the pixels written."""
import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision import io


def _pixels(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_png_round_trip_and_files(tmp_path):
    for channels in (1, 3):
        chw = _pixels((channels, 7, 5))
        encoded = io.encode_png(numbatorch.from_numpy(chw), compression_level=9)
        assert encoded.dtype == numbatorch.uint8 and encoded.ndim == 1
        np.testing.assert_array_equal(io.decode_png(encoded).numpy(), chw)
        io.write_png(numbatorch.from_numpy(chw), tmp_path / f"{channels}.png")
        np.testing.assert_array_equal(io.read_image(str(tmp_path / f"{channels}.png")).numpy(), chw)
    np.testing.assert_array_equal(io.read_file(tmp_path / "3.png").numpy(),
                                  np.frombuffer((tmp_path / "3.png").read_bytes(), dtype=np.uint8))


def test_read_modes_match_pillow(tmp_path):
    rgba = _pixels((6, 4, 4), seed=1)
    Image.fromarray(rgba).save(tmp_path / "a.png")
    unchanged = io.read_image(tmp_path / "a.png")
    np.testing.assert_array_equal(unchanged.numpy(), rgba.transpose(2, 0, 1))
    rgb = io.read_image(tmp_path / "a.png", io.ImageReadMode.RGB).numpy()
    np.testing.assert_array_equal(rgb, np.asarray(Image.fromarray(rgba).convert("RGB")).transpose(2, 0, 1))
    gray = io.read_image(tmp_path / "a.png", mode=io.ImageReadMode.GRAY).numpy()
    np.testing.assert_array_equal(gray[0], np.asarray(Image.fromarray(rgba).convert("L")))
    assert io.read_image(tmp_path / "a.png", io.ImageReadMode.GRAY_ALPHA).shape[0] == 2
    palette = Image.fromarray(_pixels((5, 5, 3), seed=2)).convert("P")
    palette.save(tmp_path / "p.png")
    expanded = io.read_image(tmp_path / "p.png").numpy()
    np.testing.assert_array_equal(expanded, np.asarray(palette.convert("RGB")).transpose(2, 0, 1))


def test_jpeg_encode_decode(tmp_path):
    smooth = np.tile(np.linspace(0, 255, 16, dtype=np.uint8), (3, 16, 1))
    encoded = io.encode_jpeg(numbatorch.from_numpy(smooth), quality=95)
    decoded = io.decode_jpeg(encoded).numpy()
    assert decoded.shape == (3, 16, 16) and np.abs(decoded.astype(int) - smooth).max() <= 8
    assert len(io.encode_jpeg([numbatorch.from_numpy(smooth)] * 2)) == 2
    io.write_jpeg(numbatorch.from_numpy(smooth), tmp_path / "s.jpg")
    np.testing.assert_array_equal(io.decode_image(str(tmp_path / "s.jpg")).numpy(),
                                  np.asarray(Image.open(tmp_path / "s.jpg")).transpose(2, 0, 1))
    with pytest.raises(RuntimeError, match="Expected a JPEG image, got PNG"):
        io.decode_jpeg(io.encode_png(numbatorch.from_numpy(smooth)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="Image quality should be a positive number between 1 and 100"):
        io.encode_jpeg(numbatorch.zeros(3, 4, 4, dtype=numbatorch.uint8), quality=0)
    with pytest.raises(ValueError, match=r"uint8 tensor of shape \(1, H, W\) or \(3, H, W\), got a numbatorch.float32"):
        io.encode_png(numbatorch.zeros(3, 4, 4))
    with pytest.raises(TypeError, match="1-D uint8 tensor of encoded bytes"):
        io.decode_image(numbatorch.zeros(4, 4))
    with pytest.raises(RuntimeError, match="Failed to decode the image"):
        io.decode_image(numbatorch.tensor([1, 2, 3], dtype=numbatorch.uint8))
