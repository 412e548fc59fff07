"""PyTorch's dtype rules for activations on integer and bool input (issue 17 item 3): the clamp-like ones
(relu, relu6, hardtanh, threshold) keep the integer dtype, the others either promote to float or refuse with
PyTorch's error; every functional and nn.Module form gives PyTorch's outcome on the same array."""
import numpy as np
import pytest

import numbatorch as nt

from ..helpers import dtype_name

DTYPES = ["int64", "int32", "uint8", "bool"]

# (functional name, kwargs, nn.Module name, module args)
ACTIVATIONS = [
    ("relu", {}, "ReLU", ()),
    ("relu6", {}, "ReLU6", ()),
    ("hardtanh", {}, "Hardtanh", ()),
    ("hardtanh", {"min_val": -2.5, "max_val": 2.5}, "Hardtanh", (-2.5, 2.5)),
    ("hardtanh", {"min_val": 0.5, "max_val": 3.7}, "Hardtanh", (0.5, 3.7)),
    ("threshold", {"threshold": 1, "value": -2}, "Threshold", (1, -2)),
    ("threshold", {"threshold": -0.5, "value": 0.5}, "Threshold", (-0.5, 0.5)),
    ("leaky_relu", {}, "LeakyReLU", ()),
    ("elu", {}, "ELU", ()),
    ("selu", {}, "SELU", ()),
    ("celu", {}, "CELU", ()),
    ("gelu", {}, "GELU", ()),
    ("silu", {}, "SiLU", ()),
    ("mish", {}, "Mish", ()),
    ("softplus", {}, "Softplus", ()),
    ("softsign", {}, "Softsign", ()),
    ("hardsigmoid", {}, "Hardsigmoid", ()),
    ("hardswish", {}, "Hardswish", ()),
    ("logsigmoid", {}, "LogSigmoid", ()),
    ("softshrink", {}, "Softshrink", ()),
    ("hardshrink", {}, "Hardshrink", ()),
    ("tanhshrink", {}, "Tanhshrink", ()),
    ("rrelu", {}, "RReLU", ()),
    ("rrelu", {"training": True}, None, ()),
    ("sigmoid", {}, "Sigmoid", ()),
    ("tanh", {}, "Tanh", ()),
    ("glu", {}, "GLU", ()),
    ("softmax", {"dim": 1}, "Softmax", (1,)),
    ("log_softmax", {"dim": 1}, "LogSoftmax", (1,)),
    ("softmin", {"dim": 1}, "Softmin", (1,)),
]


def _input(dtype):
    # -3 and 255-ish values exercise the unsigned wrap-around (1 + |255| is 0 in uint8, as PyTorch computes it)
    if dtype == "bool":
        return np.array([[True, False, True, False], [False, False, True, True]])
    return np.array([[-3, -1, 0, 1, 2, 7], [5, -2, 3, 255, 4, -6]]).astype(dtype)


def _outcome(call):
    """('ok', dtype, values) or (error type, message) of call()."""
    try:
        out = call()
    except Exception as exc:  # compared with PyTorch's
        return type(exc).__name__, str(exc).splitlines()[0]
    return "ok", dtype_name(out.dtype), out.numpy()


def _assert_same(ours, theirs):
    assert ours[:2] == theirs[:2], (ours, theirs)
    if ours[0] == "ok":
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("spec", ACTIVATIONS, ids=[f"{s[0]}{s[1] or ''}".replace(" ", "") for s in ACTIVATIONS])
def test_activation_of_integers_like_pytorch(spec, dtype):
    torch = pytest.importorskip("torch")
    fname, kwargs, module, args = spec
    x = _input(dtype)
    _assert_same(_outcome(lambda: getattr(nt.nn.functional, fname)(nt.tensor(x), **kwargs)),
                 _outcome(lambda: getattr(torch.nn.functional, fname)(torch.tensor(x), **kwargs)))
    if module is not None:
        _assert_same(_outcome(lambda: getattr(nt.nn, module)(*args)(nt.tensor(x))),
                     _outcome(lambda: getattr(torch.nn, module)(*args)(torch.tensor(x))))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("fname,kwargs", [("relu", {}), ("relu6", {}), ("hardtanh", {"min_val": 0.0, "max_val": 4.0}),
                                          ("threshold", {"threshold": 2, "value": 9})])
def test_inplace_integer_activation_like_pytorch(fname, kwargs, dtype):
    torch = pytest.importorskip("torch")
    x = _input(dtype)
    ours, theirs = nt.tensor(x), torch.tensor(x)
    out = getattr(nt.nn.functional, fname)(ours, inplace=True, **kwargs)
    t_out = getattr(torch.nn.functional, fname)(theirs, inplace=True, **kwargs)
    assert out is ours and dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())
