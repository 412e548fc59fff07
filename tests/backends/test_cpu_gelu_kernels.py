"""GELU kernels (backends/cpu/_gelu_kernels.py) and the vectorisable erf/normal distribution under them: accuracy
against float64/longdouble references, special values, both builds alike, the size rule, PyTorch, gradcheck."""
import math

import numpy as np
import pytest
from numba import njit

import numbatorch as nt
from numbatorch.backends.cpu import _gelu_kernels as G
from numbatorch.backends.cpu._vector_erf import erf
from numbatorch.backends.cpu._vector_erf32 import erf32

from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
SPECIALS = [0.0, -0.0, 1e-30, -1e-30, 1e-42, 6.0, -6.0, 30.0, -30.0, 1e30, -1e30, np.inf, -np.inf, np.nan]


@njit(error_model="numpy")
def _erf_loop(f, x, out):
    for i in range(x.size):
        out[i] = f(x[i])


@pytest.mark.parametrize("dtype, f, ulps", [(np.float64, erf, 3), (np.float32, erf32, 3)])
def test_erf_within_a_few_ulp_of_math_erf(dtype, f, ulps):
    x = np.concatenate([np.linspace(-8, 8, 200001), SPECIALS, [5e-324, -2.2e-308]]).astype(dtype)
    got = np.empty_like(x)
    _erf_loop(f, x, got)
    want = np.array([math.erf(v) for v in x.astype(np.float64)])
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.all(np.abs(got[ok] - want[ok]) <= ulps * np.spacing(np.abs(want[ok]).astype(dtype)))
    assert np.array_equal(np.signbit(got[ok]), np.signbit(want[ok].astype(dtype)))  # -0.0 stays -0.0


def _exact(x, grad):
    """GELU and its gradient in longdouble. The lower tail Phi(-|x|) comes from its continued fraction above
    |x| = 1 and from 1/2 - erf(|x| / sqrt 2) / 2 by erf's Taylor series below, both summed in longdouble
    (math.erfc of the float64-rounded |x| / sqrt 2 is up to 14 ulp off near |x| = 3 from that rounding alone)."""
    v = x.astype(np.longdouble)
    pdf = np.exp(-v * v / 2) / np.sqrt(2 * np.longdouble(np.pi))
    a = np.abs(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        cf = a.copy()
        for n in range(400, 0, -1):
            cf = a + n / cf
        tail = pdf / cf
    z = np.minimum(a, 1) / np.sqrt(np.longdouble(2))
    series, term = np.zeros_like(z), z.copy()
    for n in range(1, 40):
        series += term / (2 * n - 1)
        term = -term * z * z / n
    lower = np.where(a > 1, tail, 0.5 - series / np.sqrt(np.longdouble(np.pi)))
    cdf = np.where(v > 0, 1 - lower, lower)
    return v * cdf, grad.astype(np.longdouble) * (cdf + v * pdf)


def _values(dtype, seed, size=1 << 17):
    a = (np.random.default_rng(seed).standard_normal(size) * 5).astype(dtype)
    a[:len(SPECIALS)] = SPECIALS
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_gelu_kernels_stay_within_a_few_ulp(dtype):
    x, grad = _values(dtype, 0), _values(dtype, 1)[::-1].copy()
    out, dx = G.gelu(x, "none"), G.gelu_backward(grad, x, "none")
    for twin, args, got in ((G._GELU, (x,), out), (G._GELU_BACKWARD, (grad, x), dx)):
        parallel = np.empty_like(x)
        twin.parallel(*args, parallel)
        _assert_same_bits(parallel, got)
    finite = np.isfinite(x) & np.isfinite(grad) & (np.abs(x) < 1e15)
    want, want_grad = _exact(x[finite], grad[finite])
    tiny = np.finfo(dtype).tiny
    assert np.all(np.abs(out[finite] - want) <= 8 * np.spacing(np.abs(want).astype(dtype)) + 16 * tiny)
    # the gradient crosses 0 near x = -0.75: its error is relative to the gradient's scale
    scale = np.abs(grad[finite]) * (1 + np.abs(x[finite]) * 0.4)
    assert np.all(np.abs(dx[finite] - want_grad) <= 8 * np.finfo(dtype).eps * scale + 16 * tiny)
    assert np.isnan(out[np.isnan(x)]).all() and np.isnan(out[x == -np.inf]).all() and out[x == np.inf][0] == np.inf
    assert np.isnan(dx[np.isinf(x)]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_arrays_keep_the_numpy_forms_bit_for_bit(dtype):
    x = _values(dtype, 2, 1000)
    assert G.gelu(x, "none") is None and G.gelu_backward(x, x, "tanh") is None
    for approximate in ("none", "tanh"):
        t = nt.tensor(x, requires_grad=True)
        y = nt.nn.functional.gelu(t, approximate=approximate)
        y.backward(nt.ones_like(y))
        big = nt.tensor(np.tile(x, 200), requires_grad=True)  # past MIN_BYTES: the kernels
        yb = nt.nn.functional.gelu(big, approximate=approximate)
        yb.backward(nt.ones_like(yb))
        with np.errstate(all="ignore"):
            from numbatorch.backends import kernel_family
            erf_ = kernel_family("pointwise").erf
            if approximate == "none":
                want = (0.5 * x * (1 + erf_(x / math.sqrt(2)))).astype(dtype)
            else:
                want = (0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * (x * x * x))))).astype(dtype)
        _assert_same_bits(y.detach().numpy(), want)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_values_and_gradients_match_pytorch(approximate):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(4).standard_normal((256, 1024)).astype(np.float32) * 3
    grad = np.random.default_rng(5).standard_normal(values.shape).astype(np.float32)
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = lib.nn.functional.gelu(x.t(), approximate=approximate)  # non-contiguous
        y.backward(lib.tensor(grad).t())
        results.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=0, atol=2e-6 * np.abs(values).max())
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=4e-6 * np.abs(grad).max())


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float64_gradcheck_through_the_kernels(approximate):
    x = nt.tensor(np.random.default_rng(6).standard_normal(1 << 16) * 3, requires_grad=True)  # 512 KiB float64
    fn = lambda t: nt.nn.functional.gelu(t, approximate=approximate)  # noqa: E731
    assert G.gelu(x.detach().numpy(), approximate) is not None
    y = fn(x)
    g = np.random.default_rng(7).standard_normal(x.shape)
    y.backward(nt.tensor(g))
    h = 1e-6
    xv = x.detach().numpy()
    num = (G.gelu(xv + h, approximate) - G.gelu(xv - h, approximate)) / (2 * h) * g
    np.testing.assert_allclose(x.grad.numpy(), num, rtol=1e-6, atol=1e-8)
