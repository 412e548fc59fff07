"""ConvNeXt: torchvision's parameter count and state_dict layout, and the same outputs as the network written in
real torch.nn."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models
from numbatorch.vision.models.convnext import CNBlockConfig

from .torch_reference import copy_into_torch, names_and_shapes
from .torch_reference_modern import convnext


def test_tiny_parameter_count_layout_and_stochastic_depth(no_init):
    model = models.convnext_tiny()
    assert sum(p.numel() for p in model.parameters()) == 28589128  # torchvision's documented count
    names = list(model.state_dict())
    assert names[:5] == ["features.0.0.weight", "features.0.0.bias", "features.0.1.weight", "features.0.1.bias",
                         "features.1.0.layer_scale"]
    assert names[-4:] == ["classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias"]
    probs = [m.stochastic_depth.p for m in model.modules() if isinstance(m, models.convnext.CNBlock)]
    np.testing.assert_allclose(probs, 0.1 * np.arange(18) / 17)


def test_matches_torch_layout_and_outputs():
    torch = pytest.importorskip("torch")
    stages = [(8, 16, 1), (16, None, 2)]
    ours = models.ConvNeXt([CNBlockConfig(*s) for s in stages], layer_scale=0.5, num_classes=5)
    theirs = convnext(stages, 5, layer_scale=0.5)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(12).normal(size=(2, 3, 32, 32)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    with pytest.raises(TypeError, match=r"The block_setting should be List\[CNBlockConfig\]"):
        models.ConvNeXt([(8, None, 1)])
