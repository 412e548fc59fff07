"""MobileNetV3: torchvision's parameter counts and state_dict layout, and the same outputs as the network
written in real torch.nn."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm
from .torch_reference_modern import mobilenet_v3_small


@pytest.mark.parametrize("name, count", [("mobilenet_v3_large", 5483032), ("mobilenet_v3_small", 2542856)])
def test_parameter_counts(name, count, no_init):
    assert sum(p.numel() for p in models.get_model(name).parameters()) == count  # torchvision's documented counts


def test_small_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    ours, theirs = models.mobilenet_v3_small(num_classes=7), mobilenet_v3_small(7)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(9).normal(size=(2, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_options_and_checks():
    slim = models.mobilenet_v3_large(width_mult=0.5, reduced_tail=True, num_classes=3)
    assert slim.features[0].out_channels == 8 and slim.classifier[-1].out_features == 3
    assert tuple(slim.eval()(numbatorch.randn(1, 3, 32, 32)).shape) == (1, 3)
    with pytest.raises(ValueError, match="The inverted_residual_setting should not be empty"):
        models.MobileNetV3([], 1024)
    with pytest.raises(TypeError, match=r"The inverted_residual_setting should be List\[InvertedResidualConfig\]"):
        models.MobileNetV3([[16, 3, 16, 16]], 1024)
