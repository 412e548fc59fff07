"""SqueezeNet and AlexNet: torchvision's parameter counts and state_dict layout; SqueezeNet computes what the
same network in real torch.nn computes."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models

from .torch_reference import copy_into_torch, names_and_shapes, squeezenet


@pytest.mark.parametrize("version, count", [("1_0", 1248424), ("1_1", 1235496)])
def test_squeezenet_counts_layout_and_outputs(version, count):
    builder = getattr(models, "squeezenet" + version)
    assert sum(p.numel() for p in builder().parameters()) == count  # torchvision's documented counts
    torch = pytest.importorskip("torch")
    ours, theirs = builder(num_classes=9), squeezenet(version, 9)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(4).normal(size=(1, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 1_2: 1_0 or 1_1 expected"):
        models.SqueezeNet("1_2")


def test_alexnet_count_and_layout(no_init):
    model = models.alexnet()
    assert sum(p.numel() for p in model.parameters()) == 61100840  # torchvision's documented count
    convs = [0, 3, 6, 8, 10]
    linears = [1, 4, 6]
    expected = [f"features.{i}.{p}" for i in convs for p in ("weight", "bias")]
    expected += [f"classifier.{i}.{p}" for i in linears for p in ("weight", "bias")]
    assert list(model.state_dict()) == expected
    assert tuple(model.state_dict()["classifier.1.weight"].shape) == (4096, 256 * 6 * 6)
