"""ShuffleNet V2: torchvision's parameter counts and state_dict layout, and the same outputs as the network
written in real torch.nn."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm
from .torch_reference_modern import shufflenet_v2


@pytest.mark.parametrize("name, count", [("shufflenet_v2_x0_5", 1366792), ("shufflenet_v2_x1_0", 2278604)])
def test_parameter_counts(name, count, no_init):
    assert sum(p.numel() for p in models.get_model(name).parameters()) == count  # torchvision's documented counts


def test_x0_5_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    ours, theirs = models.shufflenet_v2_x0_5(num_classes=5), shufflenet_v2([24, 48, 96, 192, 1024], 5)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(16).normal(size=(2, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    with pytest.raises(ValueError, match="Invalid combination of stride 1, inp 10 and oup 24 values"):
        models.shufflenetv2.InvertedResidual(10, 24, 1)
