"""What ``import torchvision`` code touches at the top level of numbatorch.vision."""
import re

import pytest

from numbatorch import vision


def test_top_level_names():
    for name in ("datasets", "io", "models", "ops", "transforms", "utils"):
        assert hasattr(vision, name)
    assert re.fullmatch(r"0\.\d+\.\d+", vision.__version__)
    assert vision.version.__version__ == vision.__version__
    assert callable(vision.models.resnet18) and callable(vision.utils.make_grid)
    assert vision.datasets.MNIST and vision.transforms.ToTensor


def test_image_backend():
    assert vision.get_image_backend() == "PIL"
    vision.set_image_backend("PIL")
    with pytest.raises(ValueError, match="Invalid backend 'cv2'. Options are 'PIL' and 'accimage'"):
        vision.set_image_backend("cv2")
    with pytest.raises(ValueError, match="PIL only"):
        vision.set_image_backend("accimage")
    assert vision.get_image_backend() == "PIL"
