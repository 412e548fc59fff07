"""MobileNetV2: torchvision's parameter count and state_dict layout, and the same outputs as the network
written in real torch.nn."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm
from .torch_reference_modern import mobilenet_v2


def test_parameter_count():
    assert sum(p.numel() for p in models.mobilenet_v2().parameters()) == 3504872  # torchvision's documented count


def test_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    ours = models.mobilenet_v2(num_classes=6)
    theirs = mobilenet_v2(6)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(3).normal(size=(2, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_width_and_setting_checks():
    slim = models.mobilenet_v2(width_mult=0.5, num_classes=3)
    assert slim.features[0][0].out_channels == 16 and slim.last_channel == 1280
    assert tuple(slim.eval()(numbatorch.randn(1, 3, 32, 32)).shape) == (1, 3)
    with pytest.raises(ValueError, match="inverted_residual_setting should be non-empty or a 4-element list"):
        models.mobilenet_v2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="stride should be 1 or 2 instead of 3"):
        models.mobilenetv2.InvertedResidual(8, 8, 3, 1)
