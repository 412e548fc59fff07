"""make_grid layout and save_image round trip, against hand placement."""
import numpy as np
from PIL import Image

import numbatorch
from numbatorch.vision.utils import make_grid, save_image


def test_make_grid_places_images():
    images = np.random.default_rng(0).random((5, 3, 4, 6)).astype(np.float32)
    grid = make_grid(numbatorch.from_numpy(images), nrow=2, padding=1, pad_value=0.5).numpy()
    # 3 rows x 2 columns of (4+1) x (6+1) cells plus the outer padding line.
    assert grid.shape == (3, 3 * 5 + 1, 2 * 7 + 1)
    for k in range(5):
        row, col = divmod(k, 2)
        np.testing.assert_array_equal(grid[:, 1 + row * 5:1 + row * 5 + 4, 1 + col * 7:1 + col * 7 + 6],
                                      images[k])
    assert np.all(grid[:, 0, :] == 0.5) and np.all(grid[:, 11:, 8:] == 0.5)  # empty 6th cell


def test_make_grid_normalize_and_gray():
    images = np.stack([np.full((1, 2, 2), v, np.float32) for v in (2.0, 4.0)])
    grid = make_grid(numbatorch.from_numpy(images), padding=0, normalize=True).numpy()
    assert grid.shape == (3, 2, 4)  # gray becomes 3 channels
    np.testing.assert_allclose(grid[:, :, :2], 0.0)
    np.testing.assert_allclose(grid[:, :, 2:], 1.0)


def test_save_image_round_trip(tmp_path):
    image = np.random.default_rng(1).random((3, 5, 7)).astype(np.float32)
    path = tmp_path / "img.png"
    save_image(numbatorch.from_numpy(image), str(path))
    saved = np.asarray(Image.open(path))
    np.testing.assert_array_equal(saved, np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0))
