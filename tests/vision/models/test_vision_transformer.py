"""Vision Transformer: torchvision's parameter count and state_dict layout, and the same outputs as the network
written in real torch.nn."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes
from .torch_reference_modern import vision_transformer


def test_vit_b_16_parameter_count(no_init):
    assert sum(p.numel() for p in models.vit_b_16().parameters()) == 86567656  # torchvision's documented count


def test_small_images_and_checks(no_init):
    small = models.vit_b_32(image_size=64, num_classes=3).eval()
    with numbatorch.no_grad():
        for p in small.parameters():  # defined values without the cost of random ones
            p.zero_()
    assert small.seq_length == 5 and tuple(small(numbatorch.randn(2, 3, 64, 64)).shape) == (2, 3)
    with pytest.raises(ValueError, match="Wrong image height! Expected 64 but got 32!"):
        small(numbatorch.randn(1, 3, 32, 64))
    with pytest.raises(ValueError, match="Input shape indivisible by patch size"):
        models.vit_b_16(image_size=40)


def test_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    config = dict(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=32, num_classes=5)
    ours, theirs = models.VisionTransformer(**config), vision_transformer(**config)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    with numbatorch.no_grad():  # the classifier starts at zero: give it values so the outputs say something
        ours.heads.head.weight.normal_()
        ours.class_token.normal_()
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(10).normal(size=(2, 3, 32, 32)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
