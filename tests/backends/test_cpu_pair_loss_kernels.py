"""The MSE, L1, smooth L1 and Huber kernels (backends/cpu/_pair_loss_kernels.py): values and gradients against
extended-precision references and PyTorch (reductions, beta, delta, the gradient at a zero difference, NaN and
infinities, the target's gradient), both builds alike, reduced losses independent of the thread count, the size
rule (below 512 KiB the losses keep their numpy forms bit for bit), the fallbacks, gradcheck through the kernels."""
import math
import warnings

import numba
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.backends.cpu import _pair_loss_kernels as P

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
DTYPES = [np.float32, np.float64]
LARGE = 1 << 17  # float32 elements: 512 KiB, the kernels' threshold
REDUCTIONS = ["none", "mean", "sum"]

# name -> (Terms, call(F, input, target, reduction))
LOSSES = {
    "mse": (P.MSE, lambda Fn, x, y, r: Fn.mse_loss(x, y, reduction=r)),
    "l1": (P.L1, lambda Fn, x, y, r: Fn.l1_loss(x, y, reduction=r)),
    "smooth_l1": (P.smooth_l1_terms(1.0, 1.0), lambda Fn, x, y, r: Fn.smooth_l1_loss(x, y, reduction=r)),
    "smooth_l1(beta=0.3)": (P.smooth_l1_terms(0.3, 1.0),
                            lambda Fn, x, y, r: Fn.smooth_l1_loss(x, y, reduction=r, beta=0.3)),
    "smooth_l1(beta=0)": (P.smooth_l1_terms(0.0, 1.0),
                          lambda Fn, x, y, r: Fn.smooth_l1_loss(x, y, reduction=r, beta=0.0)),
    "huber(delta=2.5)": (P.smooth_l1_terms(2.5, 2.5), lambda Fn, x, y, r: Fn.huber_loss(x, y, reduction=r, delta=2.5)),
}


def _pair(dtype, seed, size=LARGE, specials=True):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(size) * 3).astype(dtype)
    y = (rng.standard_normal(size) * 2).astype(dtype)
    y[:1000] = x[:1000]  # zero differences
    y[1000:2000] = x[1000:2000] + dtype(0.3)  # at smooth L1's beta (0.3 rounded in either order)
    if specials:
        cases = [(np.nan, 0.0), (0.0, np.nan), (np.inf, 0.0), (-np.inf, 1.0), (np.inf, np.inf), (0.0, -0.0),
                 (1e-30, 0.0), (-5e-39, 0.0), (1e30, -1e30)]
        x[2000:2000 + len(cases)], y[2000:2000 + len(cases)] = zip(*cases)
    return x, y


def _reference(terms, x, y):
    """Loss and input gradient (per unit upstream gradient) in extended precision, PyTorch's formulas."""
    d = x.astype(np.longdouble) - y.astype(np.longdouble)
    d = d.astype(x.dtype).astype(np.longdouble)  # the difference rounded to x's type, as PyTorch's
    z = np.abs(d)
    beta, quad, offset, slope = (np.longdouble(x.dtype.type(v)) for v in terms)  # rounded as the kernels take them
    with np.errstate(all="ignore"):
        loss = np.where(z < beta, quad * z * z, (z - offset) * slope)
        sign = np.sign(d)
        grad = np.where(z < beta, 2 * quad * d, np.where(np.isnan(d), 0 if beta == 0 else np.nan, sign * slope))
    return loss, grad


def _run(twin, build, *args):
    out = np.empty_like(args[0])
    getattr(twin, build)(*args, out)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_kernels_are_within_rounding_and_the_builds_agree(dtype, name):
    terms = LOSSES[name][0]
    x, y = _pair(dtype, 0)
    loss, grad = _reference(terms, x, y)
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).smallest_subnormal
    out = P.loss(x, y, terms, "none")
    coefficients = tuple(dtype(v) for v in terms)
    _assert_same_bits(_run(P._LOSS, "parallel", x, y, *coefficients), out)
    g = np.random.default_rng(1).standard_normal(x.size).astype(dtype)
    per_element, _ = P.loss_backward(g, x, y, terms, None, False)
    scalar, target = P.loss_backward(np.array(0.75, dtype), x, y, terms, 0.5, True)
    _assert_same_bits(target, -scalar)
    for got, exact, scale in ((out, loss, 1), (per_element, grad * g, np.abs(g)), (scalar, grad * 0.375, 0.375)):
        with np.errstate(over="ignore"):
            rounded = exact.astype(dtype)  # inf where the exact value overflows x's type
        finite = np.isfinite(rounded)
        assert np.all(np.abs(got - exact)[finite] <= (2 * eps * np.abs(exact) + tiny * (1 + scale))[finite])
        assert np.array_equal(np.isnan(got), np.isnan(exact))
        assert np.array_equal(got[~finite & ~np.isnan(exact)], rounded[~finite & ~np.isnan(exact)])
    # PyTorch's sign: no gradient at a zero difference (beta = 0 included)
    assert np.all(scalar[(x == y) & np.isfinite(x)] == 0)
    finite = np.isfinite(out)
    xf, yf = np.where(finite, x, 0), np.where(finite, y, 0)
    for reduction in ("sum", "mean"):
        exact = math.fsum(loss[finite].astype(np.float64)) / (x.size if reduction == "mean" else 1)
        got = P.loss(xf, yf, terms, reduction)
        assert got.shape == () and got.dtype == dtype
        assert abs(float(got) - exact) <= 2 * eps * abs(exact) + 1e-300
        assert np.isnan(P.loss(x, y, terms, reduction))  # NaN in, NaN out


@pytest.mark.parametrize("dtype", DTYPES)
def test_reduced_losses_do_not_depend_on_the_thread_count(dtype):
    x, y = _pair(dtype, 2, size=3 * LARGE + 5, specials=False)  # chunks of any size, and a ragged last one
    partials = np.empty(-(-x.size // P.CHUNK))
    sums = []
    before = numba.get_num_threads()
    for build in ("serial", "parallel"):
        for threads in (1, 2):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            try:
                getattr(P._SUMS, build)(x, y, *(dtype(v) for v in P.MSE), partials)
            finally:
                numba.set_num_threads(before)
            sums.append(partials.copy())
    for other in sums[1:]:
        _assert_same_bits(other, sums[0])
    # every path through the op gives those bits: the grad-recording one and the no-grad one
    want = np.array(sums[0].sum() / x.size, dtype)
    _assert_same_bits(F.mse_loss(nt.tensor(x, requires_grad=True), nt.tensor(y)).detach().numpy(), want)
    with nt.no_grad():
        _assert_same_bits(F.mse_loss(nt.tensor(x), nt.tensor(y)).numpy(), want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_match_pytorch(dtype, reduction, name):
    torch = pytest.importorskip("torch")
    x_np, y_np = _pair(getattr(np, dtype), 3, specials=reduction == "none")
    x_np, y_np = x_np.reshape(-1, 256), y_np.reshape(-1, 256)
    grad = np.random.default_rng(4).standard_normal(x_np.shape).astype(dtype)
    results = []
    for lib in (nt, torch):
        x, y = lib.tensor(x_np, requires_grad=True), lib.tensor(y_np.T.copy(), requires_grad=True)
        loss = LOSSES[name][1](lib.nn.functional, x, y.t(), reduction)  # a non-contiguous target
        loss.backward(lib.tensor(grad) if reduction == "none" else lib.tensor(1.5, dtype=loss.dtype))
        results.append([a.detach().numpy() for a in (loss, x.grad, y.grad.T)])
    (loss, gx, gy), (their_loss, their_gx, their_gy) = results
    eps = np.finfo(dtype).eps
    size = np.abs(x_np) + np.abs(y_np)
    if reduction == "none":
        tolerances = (4 * eps * size * (size + 1), 4 * eps * np.abs(grad) * (size + 1))
        pairs = ((loss, their_loss), (gx, their_gx))
    else:
        # PyTorch sums float32 in float32 (cascaded): ours, in float64, is the more exact of the two
        np.testing.assert_allclose(loss, their_loss, rtol=1e-5 if dtype == "float32" else 1e-12)
        tolerances = (8 * eps * 1.5 * (size + 1) / (x_np.size if reduction == "mean" else 1),)
        pairs = ((gx, their_gx),)
    for (ours, theirs), tolerance in zip(pairs, tolerances):
        assert np.array_equal(np.isnan(ours), np.isnan(theirs))
        close = (ours == theirs) | (np.abs(ours - theirs) <= tolerance)
        assert np.all(close[~np.isnan(ours)])
    _assert_same_bits(gy, -gx)  # the target's gradient: the input's negated, as PyTorch's
    if reduction == "none":
        zero = (x_np == y_np) & np.isfinite(x_np)
        _assert_same_bits(gx[zero], their_gx[zero])  # exactly 0 at a zero difference, signs included


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_below_512_kib_the_losses_keep_their_numpy_forms_bit_for_bit(dtype, reduction):
    x_np, y_np = _pair(dtype, 5, size=(1 << 19) // np.dtype(dtype).itemsize - 256)
    assert P.loss(x_np, y_np, P.MSE, reduction) is None
    with np.errstate(all="ignore"):
        diff = x_np - y_np
        sign = np.sign(diff)
        forms = {  # elementwise loss, input gradient for a gradient of ones
            "mse": (np.square(diff), 2 * diff * 1),
            "l1": (np.abs(diff), sign),
            "smooth_l1": (np.where(np.abs(diff) < 1.0, 0.5 * np.abs(diff) * np.abs(diff) / 1.0,
                                   np.abs(diff) - 0.5 * 1.0), np.where(np.abs(diff) < 1.0, diff / 1.0, sign) * 1.0),
            "huber(delta=2.5)": (np.where(np.abs(diff) < 2.5, 0.5 * np.abs(diff) * np.abs(diff),
                                          2.5 * (np.abs(diff) - 0.5 * 2.5)),
                                 np.where(np.abs(diff) < 2.5, diff / 2.5, sign) * 2.5)}
    for name, (value, gradient) in forms.items():
        x, y = nt.tensor(x_np, requires_grad=True), nt.tensor(y_np, requires_grad=True)
        loss = LOSSES[name][1](F, x, y, reduction)
        elementwise = nt.tensor(value.astype(dtype))
        want = {"none": elementwise, "mean": elementwise.mean(), "sum": elementwise.sum()}[reduction]
        _assert_same_bits(loss.detach().numpy(), want.numpy())
        loss.backward(nt.ones_like(loss))
        if reduction == "none":
            _assert_same_bits(x.grad.numpy(), gradient.astype(dtype))
            _assert_same_bits(y.grad.numpy(), -gradient.astype(dtype))


def test_from_512_kib_the_kernels_run_on_the_threads_for_any_layout(monkeypatch):
    threaded = spy_on_threads(P, monkeypatch)
    x = np.random.default_rng(6).standard_normal((512, 128)).T  # 512 KiB of float64, not C-contiguous
    y = np.random.default_rng(7).standard_normal(x.shape)
    assert x.nbytes == 4 * LARGE and not x.flags.c_contiguous
    xc = np.ascontiguousarray(x)
    _assert_same_bits(P.loss(x, y, P.L1, "none"), P.loss(xc, y, P.L1, "none"))
    _assert_same_bits(P.loss(x, y, P.L1, "sum"), P.loss(xc, y, P.L1, "sum"))
    _assert_same_bits(P.loss_backward(y, x, y, P.L1, None, True)[1], P.loss_backward(y, xc, y, P.L1, None, True)[1])
    assert threaded == [P._LOSS] * 2 + [P._SUMS] * 2 + [P._BACKWARD[True, True]] * 2


def test_other_dtypes_broadcasting_and_mixed_arrays_keep_the_numpy_forms():
    x32, x64 = np.ones(LARGE, np.float32), np.ones(LARGE, np.float64)
    assert P.loss(x32, x64, P.MSE, "mean") is None  # mixed dtypes
    assert P.loss(np.ones(LARGE * 2, np.float16), np.ones(LARGE * 2, np.float16), P.MSE, "sum") is None
    assert P.loss(x32, x32, P.MSE, "average") is None  # the op raises PyTorch's error
    assert P.loss_backward(x64, x32, x32, P.MSE, None, False) is None  # a gradient of another dtype
    x = nt.tensor(np.random.default_rng(8).standard_normal((LARGE, 2)).astype(np.float32), requires_grad=True)
    y = nt.tensor(np.random.default_rng(9).standard_normal((LARGE, 1)).astype(np.float32))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = F.mse_loss(x, y)  # broadcasting: PyTorch's warning, then the numpy form
    assert any("target size" in str(w.message) for w in caught)
    loss.backward()
    diff = x.detach().numpy() - y.numpy()
    np.testing.assert_allclose(loss.item(), np.mean(np.square(diff.astype(np.float64))), rtol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), 2 * diff / diff.size, rtol=1e-5)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.l1_loss(x, x.detach(), reduction="average")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1", "smooth_l1(beta=0.3)", "huber(delta=2.5)"])
def test_gradcheck_through_the_kernels(monkeypatch, reduction, name):
    monkeypatch.setattr(P, "MIN_BACKWARD_BYTES", 0)
    rng = np.random.default_rng(10)
    x_np = rng.uniform(-4, 4, (8, 6))
    y_np = x_np + rng.choice([-1, 1], x_np.shape) * rng.uniform(0.05, 4, x_np.shape)  # no kinks within eps
    x, y = nt.tensor(x_np, requires_grad=True), nt.tensor(y_np, requires_grad=True)
    assert P.loss(x_np, y_np, P.MSE, reduction) is not None
    fn = lambda a, b: LOSSES[name][1](F, a, b, reduction)  # noqa: E731
    assert nt.autograd.gradcheck(fn, (x, y))
    assert nt.autograd.gradgradcheck(fn, (x, y))
