"""Activations on a non-Tensor raise PyTorch's error (type and text); a missing softmax ``dim`` warns at the
caller's line, for the functionals and the Softmax/Softmin/LogSoftmax layers."""
import warnings

import numpy as np
import pytest

import numbatorch as nt

X = np.zeros((2, 4), np.float32)

CALLS = {
    "leaky_relu": lambda F: F.leaky_relu(X), "leaky_relu_inplace": lambda F: F.leaky_relu(X, inplace=True),
    "leaky_relu_": lambda F: F.leaky_relu_(X), "elu": lambda F: F.elu(X),
    "elu_inplace": lambda F: F.elu(X, inplace=True),
    "selu": lambda F: F.selu(X), "celu": lambda F: F.celu(X, inplace=True), "gelu": lambda F: F.gelu(X),
    "silu": lambda F: F.silu(X), "silu_inplace": lambda F: F.silu(X, inplace=True), "mish": lambda F: F.mish(X),
    "softplus": lambda F: F.softplus(X), "softsign": lambda F: F.softsign(X), "hardtanh": lambda F: F.hardtanh(X),
    "hardtanh_": lambda F: F.hardtanh_(X), "relu6": lambda F: F.relu6(X), "relu6_inplace": lambda F: F.relu6(X, True),
    "hardsigmoid": lambda F: F.hardsigmoid(X), "hardswish": lambda F: F.hardswish(X, inplace=True),
    "logsigmoid": lambda F: F.logsigmoid(X), "softshrink": lambda F: F.softshrink(X),
    "hardshrink": lambda F: F.hardshrink(X), "tanhshrink": lambda F: F.tanhshrink(X),
    "threshold": lambda F: F.threshold(X, 0.1, 0.0), "threshold_": lambda F: F.threshold_(X, 0.1, 0.0),
    "rrelu": lambda F: F.rrelu(X), "rrelu_train_inplace": lambda F: F.rrelu(X, training=True, inplace=True),
    "prelu": lambda F: F.prelu(X, _weight(F)), "list_input": lambda F: F.elu([1.0, 2.0]),
}


def _weight(F):
    """A one-element prelu weight of the library ``F`` belongs to."""
    return (nt if F.__name__.startswith("numbatorch") else pytest.importorskip("torch")).ones(1)


def _error(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("name", CALLS)
def test_non_tensor_input_error_matches_torch(name):
    torch = pytest.importorskip("torch")
    assert _error(lambda: CALLS[name](nt.nn.functional)) == _error(lambda: CALLS[name](torch.nn.functional))


@pytest.mark.parametrize("layer", ["Softmax", "Softmin", "LogSoftmax"])
def test_missing_dim_warns_at_the_callers_line(layer):
    x = nt.randn(2, 3)
    module = getattr(nt.nn, layer)()
    functional = getattr(nt.nn.functional, {"Softmax": "softmax", "Softmin": "softmin",
                                            "LogSoftmax": "log_softmax"}[layer])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y_module = module(x)
        y_functional = functional(x)
    assert [(w.filename, w.category) for w in caught] == [(__file__, UserWarning)] * 2
    assert "Implicit dimension choice" in str(caught[0].message)
    np.testing.assert_array_equal(y_module.numpy(), y_functional.numpy())
    np.testing.assert_array_equal(y_module.numpy(), functional(x, dim=1).numpy())  # 2-D input: dim 1
