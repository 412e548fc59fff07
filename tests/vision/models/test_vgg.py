"""VGG: torchvision's parameter count and state_dict layout; the convolutional features compute what the same
layers in real torch.nn compute."""
import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models
from numbatorch.vision.models import vgg

from .torch_reference import copy_into_torch, names_and_shapes, randomize_batchnorm, vgg_features

CLASSIFIER = [("classifier.0.weight", (4096, 25088)), ("classifier.0.bias", (4096,)),
              ("classifier.3.weight", (4096, 4096)), ("classifier.3.bias", (4096,)),
              ("classifier.6.weight", (1000, 4096)), ("classifier.6.bias", (1000,))]


def test_vgg11_parameter_count_and_layout(no_init):
    model = models.vgg11()
    assert sum(p.numel() for p in model.parameters()) == 132863336  # torchvision's documented count
    sd = names_and_shapes(model.state_dict())
    assert sd[-6:] == CLASSIFIER
    pytest.importorskip("torch")
    expected = [("features." + k, s) for k, s in names_and_shapes(vgg_features(vgg.cfgs["A"], False).state_dict())]
    assert sd[:-6] == expected


def test_forward_shape(no_init):
    model = models.vgg11_bn(num_classes=7).eval()
    with numbatorch.no_grad():
        for p in model.parameters():  # defined values without the cost of random ones
            p.zero_()
        assert tuple(model(numbatorch.randn(1, 3, 32, 32)).shape) == (1, 7)


@pytest.mark.parametrize("cfg, batch_norm", [("A", True), ("D", False)])
def test_features_match_torch(cfg, batch_norm):
    torch = pytest.importorskip("torch")
    ours = vgg.make_layers(vgg.cfgs[cfg], batch_norm=batch_norm)
    randomize_batchnorm(ours)
    theirs = vgg_features(vgg.cfgs[cfg], batch_norm)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(2).normal(size=(1, 3, 32, 32)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
