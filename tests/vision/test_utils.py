"""make_grid layout and save_image round trip, against hand placement; drawn boxes and blended masks."""
import numpy as np
import pytest
from PIL import Image

import numbatorch
from numbatorch.vision.utils import draw_bounding_boxes, draw_segmentation_masks, make_grid, save_image


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


def test_draw_bounding_boxes_outlines_fills_and_labels():
    image = numbatorch.from_numpy(np.full((3, 20, 24), 40, dtype=np.uint8))
    boxes = numbatorch.tensor([[2, 3, 10, 12], [12, 4, 20, 18]])
    out = draw_bounding_boxes(image, boxes, colors=["red", (0, 255, 0)], width=2).numpy()
    assert out.dtype == np.uint8 and out.shape == (3, 20, 24)
    np.testing.assert_array_equal(out[:, 3, 5], [255, 0, 0])      # top edge of box 0
    np.testing.assert_array_equal(out[:, 4, 11 - 2], [255, 0, 0])  # second pixel of its right edge
    np.testing.assert_array_equal(out[:, 10, 13], [0, 255, 0])     # left edge of box 1
    np.testing.assert_array_equal(out[:, 8, 6], [40, 40, 40])      # inside, not filled
    filled = draw_bounding_boxes(image, boxes[:1], colors="blue", fill=True).numpy()
    # Fill alpha 100/255 over the background: PIL's blend of (0, 0, 255) onto 40.
    np.testing.assert_allclose(filled[:, 8, 6], [40 * 155 / 255, 40 * 155 / 255, (40 * 155 + 255 * 100) / 255],
                               atol=1)
    labelled = draw_bounding_boxes(image, boxes, labels=["cat", "dog"]).numpy()
    assert (labelled != draw_bounding_boxes(image, boxes).numpy()).any()  # the text changed pixels
    gray = draw_bounding_boxes(numbatorch.zeros(1, 8, 8), numbatorch.tensor([[1, 1, 5, 5]]), colors="white")
    assert gray.dtype == numbatorch.float32 and tuple(gray.shape) == (3, 8, 8) and float(gray[0, 1, 3]) == 1.0
    with pytest.raises(ValueError, match=r"Boxes need to be in \(xmin, ymin, xmax, ymax\) format"):
        draw_bounding_boxes(image, numbatorch.tensor([[5, 0, 1, 3]]))
    with pytest.raises(ValueError, match=r"Number of boxes \(2\) and labels \(1\) mismatch"):
        draw_bounding_boxes(image, boxes, labels=["x"])


def test_draw_segmentation_masks_blends_like_torchvision():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (3, 6, 7), dtype=np.uint8)
    masks = np.zeros((2, 6, 7), dtype=bool)
    masks[0, :4, :4] = True
    masks[1, 2:, 3:] = True
    out = draw_segmentation_masks(numbatorch.from_numpy(image), numbatorch.from_numpy(masks), alpha=0.7,
                                  colors=["red", "#00ff00"]).numpy()
    drawn = image.copy()
    drawn[:, masks[0]] = np.array([255, 0, 0], dtype=np.uint8)[:, None]
    drawn[:, masks[1]] = np.array([0, 255, 0], dtype=np.uint8)[:, None]
    drawn[:, masks.sum(0) > 1] = 0  # overlaps are black
    expected = (torch.from_numpy(image) * (1 - 0.7) + torch.from_numpy(drawn) * 0.7).to(torch.uint8).numpy()
    np.testing.assert_array_equal(out, expected)
    with pytest.raises(ValueError, match="The masks must be of dtype bool"):
        draw_segmentation_masks(numbatorch.from_numpy(image), numbatorch.zeros(6, 7))
    with pytest.raises(ValueError, match="Pass an RGB image"):
        draw_segmentation_masks(numbatorch.zeros(1, 6, 7, dtype=numbatorch.uint8), numbatorch.from_numpy(masks))
