"""The vectorisable expm1 (backends/cpu/_vector_expm1.py) and the ELU family's kernels built on it
(_elu_kernels.py: ELU, SELU, CELU): accuracy against extended-precision references and special values, both
builds alike, PyTorch's values and gradients, the size rule (below 512 KiB the ops keep their numpy forms bit for
bit), gradcheck through the kernels."""
import platform

import numba
import numpy as np
import pytest
from numba import njit

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.backends.cpu import _elu_kernels as E, pointwise
from numbatorch.backends.cpu._float_math import vector_expm1

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
DTYPES = [np.float32, np.float64]
LARGE = 1 << 17  # float32 elements: 512 KiB, the kernels' threshold
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@njit(error_model="numpy", fastmath={"contract"})
def _expm1_loop(x, out):
    for i in range(x.size):
        out[i] = vector_expm1(x[i])


def _expm1(x):
    out = np.empty_like(x)
    _expm1_loop(x, out)
    return out


def _ulps(got, exact, dtype):
    """|got - exact| in units of the last place of ``exact`` rounded to ``dtype``; 0 where they agree (infinities
    included)."""
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = exact.astype(dtype)
        same = (got == rounded) | (np.isnan(got) & np.isnan(rounded))
        return np.where(same, 0.0, np.abs(got.astype(np.longdouble) - exact)
                        / np.spacing(np.abs(rounded)).astype(np.longdouble))


@pytest.mark.parametrize("dtype", DTYPES)
def test_expm1_is_within_2_ulp_over_its_whole_range(dtype):
    if np.finfo(np.longdouble).nmant < 60:
        pytest.skip("no extended precision for the reference")
    info = np.finfo(dtype)
    top = 88.72 if dtype == np.float32 else 709.78  # overflow beyond
    rng = np.random.default_rng(0)
    magnitudes = np.exp(rng.uniform(np.log(float(info.smallest_subnormal)), np.log(top), 60000))
    x = np.concatenate([magnitudes, -magnitudes, -rng.uniform(0, 60, 20000), rng.uniform(-1.1, 1.1, 20000),
                        np.linspace(-0.36, 0.36, 5001), np.linspace(top - 1, top, 2000)]).astype(dtype)
    assert _ulps(_expm1(x), np.expm1(x.astype(np.longdouble)), dtype).max() <= 2.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_expm1_special_values(dtype):
    info = np.finfo(dtype)
    tiny = info.smallest_subnormal
    x = np.array([0.0, -0.0, tiny, -tiny, 1e-30, -1e-30, -np.inf, np.inf, np.nan, -40.0, -1000.0, -float(info.max),
                  float(info.max), 1000.0], dtype)
    got = _expm1(x)
    _assert_same_bits(got[:6], x[:6])  # expm1(x) = x near 0: signed zeros and subnormals included
    assert np.all(got[[6, 9, 10, 11]] == -1)
    assert got[7] == np.inf and np.isnan(got[8]) and np.all(got[12:] == np.inf)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86 assembly")
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_loop_over_expm1_is_vectorised(dtype):
    x = np.zeros(4, dtype)
    _expm1(x)
    assembly = _expm1_loop.inspect_asm((numba.typeof(x), numba.typeof(x)))
    # packed fused multiply-adds (the series): a libm call or a branch would have kept the loop scalar
    assert ("vfmadd213ps" if dtype == np.float32 else "vfmadd213pd") in assembly


def _values(dtype, seed, size=LARGE, scale=4.0):
    a = (np.random.default_rng(seed).standard_normal(size) * scale).astype(dtype)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 5e-39, -5e-39, -20.0, -90.0, -800.0, 88.0]
    a[:len(specials)] = specials
    return a


# name -> (alpha, scale, input_scale): PyTorch's elu parameters of ELU(0.7), SELU and CELU(1.5)
_FAMILY = {"elu": (0.7, 1.0, 1.0), "selu": (SELU_ALPHA, SELU_SCALE, 1.0), "celu": (1.5, 1.0, 1 / 1.5)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(_FAMILY))
def test_kernels_are_within_a_few_ulp_and_the_builds_agree(dtype, name):
    alpha, scale, input_scale = _FAMILY[name]
    x, grad = _values(dtype, 0), _values(dtype, 1)[::-1].copy()
    out, dx = E.elu(x, alpha, scale, input_scale), E.elu_backward(grad, x, alpha, scale, input_scale)
    t = dtype(1)  # the scalars as the kernels take them: rounded to the array's type
    coefficients = ((t * scale, t * (alpha * scale), t * input_scale),
                    (t * scale, t * (alpha * scale * input_scale), t * input_scale))
    for twin, args, got in ((E._ELU, (x,), out), (E._ELU_BACKWARD, (grad, x), dx)):
        for build in ("serial", "parallel"):
            again = np.empty_like(x)
            getattr(twin, build)(*args, *coefficients[twin is E._ELU_BACKWARD], again)
            _assert_same_bits(again, got)
    v, g = x.astype(np.longdouble), grad.astype(np.longdouble)
    s, neg, slope = (np.longdouble(c) for c in coefficients[0][:2] + coefficients[1][1:2])
    with np.errstate(all="ignore"):
        u = (x * coefficients[0][2]).astype(np.longdouble)  # the exponent rounded to x's type, as PyTorch's
        want = np.where(v > 0, v * s, np.expm1(u) * neg)
        want_grad = np.where(v > 0, g * s, g * slope * np.exp(u))
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).smallest_subnormal
    # a subnormal exp's rounding (half its spacing) is multiplied by the gradient and the coefficients
    for got, exact, subnormal in ((out, want, 4 * tiny), (dx, want_grad, 8 * tiny * (1 + np.abs(g)))):
        finite = np.isfinite(exact)
        assert np.all(np.abs(got - exact)[finite] <= (4 * eps * np.abs(exact) + subnormal)[finite])
        assert np.array_equal(np.isnan(got), np.isnan(exact))
        assert np.array_equal(got[~finite & ~np.isnan(exact)], exact[~finite & ~np.isnan(exact)].astype(dtype))
    _assert_same_bits(out[x == 0], (x[x == 0] * dtype(scale)))  # -0.0 stays -0.0, as PyTorch's


_OPS = {"elu": lambda Fn, x: Fn.elu(x, 0.7), "selu": lambda Fn, x: Fn.selu(x), "celu": lambda Fn, x: Fn.celu(x, 1.5),
        "elu_": lambda Fn, x: Fn.elu(x * 1, 0.7, inplace=True), "selu_": lambda Fn, x: Fn.selu(x * 1, inplace=True),
        "celu_": lambda Fn, x: Fn.celu(x * 1, 1.5, inplace=True)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", sorted(_OPS))
def test_ops_match_pytorch_with_special_values(dtype, op):
    torch = pytest.importorskip("torch")
    values = _values(getattr(np, dtype), 2).reshape(256, -1)
    grad = np.random.default_rng(3).standard_normal(values.shape).astype(dtype)
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = _OPS[op](lib.nn.functional, x.t())  # non-contiguous
        y.backward(lib.tensor(grad).t())
        results.append((y.detach().numpy().T, x.grad.numpy()))
    for ours, theirs, size in zip(*results, (np.abs(values) + 1, np.abs(grad) * (np.abs(values) + 1))):
        assert np.array_equal(np.isnan(ours), np.isnan(theirs))
        close = (ours == theirs) | (np.abs(ours - theirs) <= 8 * np.finfo(dtype).eps * size)
        assert np.all(close[~np.isnan(ours)])
    _assert_same_bits(results[0][0][values == 0], results[1][0][values == 0])  # signed zeros


@pytest.mark.parametrize("dtype", DTYPES)
def test_below_512_kib_the_ops_keep_their_numpy_forms_bit_for_bit(dtype):
    x_np = _values(dtype, 4, size=(1 << 19) // np.dtype(dtype).itemsize - 256)  # just below 512 KiB
    assert E.elu(x_np, 1.0, 1.0, 1.0) is None and E.elu_backward(x_np, x_np, 1.0, 1.0, 1.0) is None
    grad = np.random.default_rng(5).standard_normal(x_np.shape).astype(dtype)
    with np.errstate(all="ignore"):
        forms = {"elu": (np.where(x_np > 0, x_np, 0.7 * np.expm1(x_np)),
                         np.where(x_np > 0, grad * 1.0, grad * 1.0 * 0.7 * 1.0 * np.exp(x_np * 1.0))),
                 "selu": (SELU_SCALE * np.where(x_np > 0, x_np, SELU_ALPHA * np.expm1(x_np)),
                          np.where(x_np > 0, grad * SELU_SCALE,
                                   grad * SELU_SCALE * SELU_ALPHA * 1.0 * np.exp(x_np * 1.0))),
                 "celu": (np.where(x_np > 0, x_np, 1.5 * np.expm1(x_np / 1.5)),
                          np.where(x_np > 0, grad * 1.0, grad * 1.0 * 1.5 * (1.0 / 1.5) * np.exp(x_np * (1.0 / 1.5))))}
    for name, (value, gradient) in forms.items():
        x = nt.tensor(x_np, requires_grad=True)
        y = _OPS[name](F, x)
        y.backward(nt.tensor(grad))
        _assert_same_bits(y.detach().numpy(), value.astype(dtype))
        _assert_same_bits(x.grad.numpy(), gradient.astype(dtype))


def test_from_512_kib_the_kernels_run_on_the_threads_for_any_layout(monkeypatch):
    threaded = spy_on_threads(pointwise, monkeypatch)  # the kernels run through pointwise.map_arrays
    x = np.random.default_rng(6).standard_normal((512, 128)).T  # 512 KiB of float64, not C-contiguous
    assert x.nbytes == 4 * LARGE and not x.flags.c_contiguous
    _assert_same_bits(E.elu(x, 1.0, 1.0, 1.0), E.elu(np.ascontiguousarray(x), 1.0, 1.0, 1.0))
    _assert_same_bits(E.elu_backward(x, x, 1.0, 1.0, 1.0), E.elu_backward(x.copy(), x.copy(), 1.0, 1.0, 1.0))
    assert threaded == [E._ELU] * 2 + [E._ELU_BACKWARD] * 2
    assert E.elu(np.ones(LARGE * 2, np.float16), 1.0, 1.0, 1.0) is None  # other dtypes: the numpy forms


@pytest.mark.parametrize("name", ["elu", "selu", "celu"])
def test_gradcheck_through_the_kernels(monkeypatch, name):
    monkeypatch.setattr(E, "MIN_BACKWARD_BYTES", 0)
    x = nt.tensor(np.random.default_rng(7).uniform(-4, 3, 64), requires_grad=True)
    assert E.elu(x.detach().numpy(), 1.0, 1.0, 1.0) is not None
    assert nt.autograd.gradcheck(lambda t: _OPS[name](F, t), (x,))
    assert nt.autograd.gradgradcheck(lambda t: _OPS[name](F, t), (x,))
