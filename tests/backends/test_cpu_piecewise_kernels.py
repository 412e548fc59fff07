"""Piecewise-linear activation kernels (backends/cpu/_piecewise_kernels.py): the numpy forms' bits from both builds
and the stand-ins (signed zeros, infinities, NaN, the pieces' edges), the threaded dispatch, the numpy form for
other dtypes, and PyTorch's values through the ops."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _piecewise_kernels as P, pointwise

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, -3.0, 3.0, -1.0, 1.0, 6.0, 1e-45, -2.9999998, 3.0000002]


def _values(dtype, seed, size=5000):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(size) * 4).astype(dtype)
    a[:len(EDGES)] = EDGES
    return a


# name -> (twin, arrays taken (1: x; 2: grad and x), scalars, the numpy form of the op)
FORMS = {
    "leaky_relu": (P._LEAKY_RELU, 1, (0.2,), lambda x, s: np.where(x > 0, x, x * s[0])),
    "hardtanh": (P._HARDTANH, 1, (-1.5, 2.0), lambda x, s: np.clip(x, s[0], s[1])),
    "hardsigmoid": (P._HARDSIGMOID, 1, (0, 3, 6), lambda x, s: np.clip(x + 3, 0, 6) / 6),
    "hardswish": (P._HARDSWISH, 1, (0, 3, 6), lambda x, s: x * np.clip(x + 3, 0, 6) / 6),
    "leaky_relu_backward": (P._LEAKY_RELU_BACKWARD, 2, (0.2,), lambda g, x, s: np.where(x > 0, g, g * s[0])),
    "hardtanh_backward": (P._HARDTANH_BACKWARD, 2, (0.0, 6.0, 0),
                          lambda g, x, s: np.where((x > s[0]) & (x < s[1]), g, 0)),
    "hardsigmoid_backward": (P._HARDSIGMOID_BACKWARD, 2, (0, 6),
                             lambda g, x, s: np.where((x > -3) & (x < 3), g / 6, 0)),
    "hardswish_backward": (P._HARDSWISH_BACKWARD, 2, (0, 3, 6),
                           lambda g, x, s: np.where(x < -3, 0, np.where(x <= 3, g * (2 * x + 3) / 6, g))),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FORMS))
def test_both_builds_and_the_stand_in_give_the_numpy_forms_bits(name, dtype):
    twin, count, scalars, form = FORMS[name]
    arrays = [_values(dtype, 0), _values(dtype, 1)][-count:]
    if count == 2:
        arrays = [np.tile(np.array(EDGES[:5], dtype), 1000), _values(dtype, 1)]  # gradients with inf and NaN too
    typed = tuple(np.dtype(dtype).type(s) for s in scalars)
    want = form(*arrays, scalars).astype(dtype)
    for build in (twin.serial, twin.parallel, twin.serial.stand_in if hasattr(twin.serial, "stand_in") else None):
        if build is None:
            continue
        out = np.empty_like(arrays[-1])
        build(*arrays, *typed, out)
        _assert_same_bits(out, want)


@pytest.mark.parametrize("name", ["leaky_relu", "hardtanh_backward"])
def test_large_arrays_run_on_the_threads(monkeypatch, name):
    threaded = spy_on_threads(pointwise, monkeypatch)  # the kernels run through pointwise.map_arrays
    x = np.random.default_rng(2).standard_normal((512, 1024)).astype(np.float32)  # 2 MiB of output
    if name == "leaky_relu":
        _assert_same_bits(P.leaky_relu(x, 0.1), np.where(x > 0, x, x * np.float32(0.1)))
    else:
        grad = x[::-1].copy()
        _assert_same_bits(P.hardtanh_backward(grad, x, -1.0, 1.0), np.where((x > -1) & (x < 1), grad, 0))
    assert threaded == [P._LEAKY_RELU if name == "leaky_relu" else P._HARDTANH_BACKWARD]


@pytest.mark.parametrize("case", ["float16", "mixed dtypes", "strided"])
def test_numpy_forms_where_the_kernels_do_not_apply(case):
    x = _values(np.float32, 3).reshape(50, 100)
    grad = _values(np.float32, 4).reshape(50, 100)
    if case == "float16":
        x, grad = x.astype(np.float16), grad.astype(np.float16)
    elif case == "mixed dtypes":
        grad = grad.astype(np.float64)
    else:
        x, grad = x.T, grad.T  # the kernels take copies in C order: same values
    got = P.hardswish_backward(grad, x)
    want = np.where(x < -3, 0, np.where(x <= 3, grad * (2 * x + 3) / 6, grad)).astype(grad.dtype)
    _assert_same_bits(got, want)


@pytest.mark.parametrize("op,kwargs", [("leaky_relu", {"negative_slope": 0.2}), ("relu6", {}),
                                       ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("hardsigmoid", {}),
                                       ("hardswish", {})])
def test_values_and_gradients_match_pytorch(op, kwargs):
    torch = pytest.importorskip("torch")
    values = _values(np.float32, 5)[len(EDGES):len(EDGES) + 4900].reshape(-1, 7)  # no NaN: compared as numbers
    grad = _values(np.float32, 6)[len(EDGES):len(EDGES) + 4900].reshape(-1, 7)
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = getattr(lib.nn.functional, op)(x, **kwargs)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)  # hardswish: PyTorch groups its slope apart
