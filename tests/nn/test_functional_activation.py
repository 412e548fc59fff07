"""Activations of nn.functional against PyTorch and finite differences."""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck

from ._compare import assert_same

# (name, kwargs): the same call is made on numbatorch's and PyTorch's F.
ACTIVATIONS = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}), ("selu", {}),
    ("celu", {"alpha": 1.3}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {"beta": 2.0, "threshold": 3.0}), ("softsign", {}), ("hardtanh", {"min_val": -0.5, "max_val": 0.7}),
    ("hardsigmoid", {}), ("hardswish", {}), ("logsigmoid", {}), ("softshrink", {"lambd": 0.3}),
    ("hardshrink", {"lambd": 0.3}), ("tanhshrink", {}), ("threshold", {"threshold": 0.1, "value": -2.0}),
    ("sigmoid", {}), ("tanh", {}), ("glu", {"dim": -1}), ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0}),
    ("softmin", {"dim": 1}),
]


def _input(dtype):
    # Values away from the kinks (0, +-3, +-lambda...) so finite differences are well defined.
    rng = np.random.default_rng(0)
    x = rng.uniform(-4, 4, (3, 6))
    x[np.abs(x) < 0.05] += 0.2
    for kink in (3.0, -3.0, 0.3, -0.3, 0.1, -0.5, 0.7, 6.0):
        x[np.abs(x - kink) < 0.05] += 0.11
    return x.astype(dtype)


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}{k}" for n, k in ACTIVATIONS])
def test_activation_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF
    # float64 at 1e-7: PyTorch computes some constants (e.g. CELU's 1/alpha) in single precision.
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-7)):
        assert_same(lambda x: getattr(F, name)(x, **kwargs), lambda x: getattr(TF, name)(x, **kwargs),
                    [_input(dtype)], torch, rtol=tol, atol=tol)


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}{k}" for n, k in ACTIVATIONS])
def test_activation_gradcheck(name, kwargs):
    x = numbatorch.tensor(_input(np.float64), requires_grad=True)
    assert gradcheck(lambda t: getattr(F, name)(t, **kwargs), (x,))


def test_prelu_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4))
    w = np.array([0.1, 0.2, 0.3])
    assert_same(F.prelu, torch.nn.functional.prelu, [x, w], torch)
    assert_same(F.prelu, torch.nn.functional.prelu, [x, np.array([0.25])], torch)


def test_inplace_relu_changes_input_and_keeps_grad():
    x = numbatorch.tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1
    out = F.relu(y, inplace=True)
    assert out is y
    assert y.tolist() == [0.0, 2.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


def test_rrelu_eval_is_leaky_relu_with_mean_slope():
    x = numbatorch.tensor([-2.0, 3.0])
    out = F.rrelu(x, 0.1, 0.3, training=False)
    np.testing.assert_allclose(out.numpy(), [-0.4, 3.0])


def test_rrelu_training_slopes_within_bounds():
    x = -numbatorch.ones(1000)
    out = F.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert (out <= -0.1).all() and (out >= -0.3).all() and out.std() > 0.01


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError):
        F.gelu(numbatorch.ones(2), approximate="fast")
