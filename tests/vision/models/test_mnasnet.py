"""MNASNet: torchvision's parameter counts and layout, forward shapes and argument checks."""
import pytest

import numbatorch
from numbatorch.vision import models


@pytest.mark.parametrize("name, count", [("mnasnet0_5", 2218512), ("mnasnet0_75", 3170208),
                                         ("mnasnet1_0", 4383312), ("mnasnet1_3", 6282256)])
def test_parameter_counts(name, count, no_init):
    assert sum(p.numel() for p in models.get_model(name).parameters()) == count  # torchvision's documented counts


def test_layout_forward_and_checks():
    model = models.mnasnet0_5(num_classes=4)
    names = list(model.state_dict())
    assert names[:2] == ["layers.0.weight", "layers.1.weight"]
    assert "layers.8.0.layers.3.weight" in names and names[-2:] == ["classifier.1.weight", "classifier.1.bias"]
    assert model.layers[1].momentum == pytest.approx(1 - 0.9997)
    out = model(numbatorch.randn(2, 3, 32, 32))
    out.sum().backward()
    assert tuple(out.shape) == (2, 4) and model.layers[0].weight.grad is not None
    with pytest.raises(ValueError, match="alpha should be greater than 0.0 instead of 0"):
        models.MNASNet(0)
    with pytest.raises(ValueError, match="kernel_size should be 3 or 5 instead of 7"):
        models.mnasnet._InvertedResidual(8, 8, 7, 1, 3)
