"""GoogLeNet and Inception v3: torchvision's parameter counts, state_dict layout, training-mode outputs with the
auxiliary classifiers, input re-normalisation, and GoogLeNet's outputs against the network in real torch.nn."""
import warnings

import numpy as np
import pytest

import numbatorch
from numbatorch.vision import models
from numbatorch.vision.models.googlenet import _transform_input

from .torch_reference import copy_into_torch, fill_random, googlenet, names_and_shapes, randomize_batchnorm


@pytest.fixture(autouse=True)
def _quiet_init_warning():
    # Both models warn (FutureWarning) that torchvision may change their default initialisation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield


@pytest.mark.parametrize("build, count", [(lambda: models.googlenet(), 13004888),
                                          (lambda: models.googlenet(aux_logits=False), 6624904),
                                          (lambda: models.inception_v3(), 27161264)])
def test_parameter_counts(build, count, no_init):
    assert sum(p.numel() for p in build().parameters()) == count  # torchvision's documented counts


def test_googlenet_matches_torch_and_returns_aux_outputs_in_training(no_init):
    torch = pytest.importorskip("torch")
    ours, theirs = models.googlenet(aux_logits=False, num_classes=5), googlenet(5)
    assert names_and_shapes(ours.state_dict()) == names_and_shapes(theirs.state_dict())
    fill_random(ours)
    randomize_batchnorm(ours)
    copy_into_torch(ours, theirs)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(13).normal(size=(1, 3, 64, 64)).astype(np.float32)
    with numbatorch.no_grad(), torch.no_grad():
        got, want = ours(numbatorch.from_numpy(x)).numpy(), theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    training = models.googlenet(num_classes=3)
    fill_random(training)
    out = training(numbatorch.randn(2, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs) and [tuple(o.shape) for o in out] == [(2, 3)] * 3
    assert tuple(training.eval()(numbatorch.randn(1, 3, 64, 64)).shape) == (1, 3)


def test_inception_v3_layout_and_outputs(no_init):
    model = models.inception_v3(num_classes=4)
    names = list(model.state_dict())
    assert names[:2] == ["Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.weight"]
    assert "AuxLogits.conv1.conv.weight" in names and names[-2:] == ["fc.weight", "fc.bias"]
    assert tuple(model.state_dict()["Mixed_6b.branch7x7_2.conv.weight"].shape) == (128, 128, 1, 7)
    fill_random(model)
    # The auxiliary head needs the full 299x299 input and its 1x1 maps a batch of more than one to train its
    # batch norms (as in PyTorch); a batch of one with that head in eval mode keeps the test small.
    model.AuxLogits.eval()
    with numbatorch.no_grad():
        out = model(numbatorch.randn(1, 3, 299, 299))
        assert isinstance(out, models.InceptionOutputs)
        assert tuple(out.logits.shape) == (1, 4) and tuple(out.aux_logits.shape) == (1, 4)
        assert tuple(model.eval()(numbatorch.randn(2, 3, 75, 75)).shape) == (2, 4)


def test_transform_input_renormalises():
    x = np.random.default_rng(14).normal(size=(1, 3, 2, 2)).astype(np.float32)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    expected = (x * std[:, None, None] + mean[:, None, None] - 0.5) / 0.5
    got = _transform_input(numbatorch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
