"""The vectorisable log1p (backends/cpu/_vector_log1p.py) and the kernels built on it (_softplus_kernels.py:
softplus, log-sigmoid, Mish; _bce_logits_kernels.py: BCE with logits): accuracy against higher-precision
references over wide ranges and special values, both builds alike, the gradients against finite differences and
PyTorch, and the size rule (below 512 KiB the ops keep their numpy forms bit for bit)."""
import platform

import numpy as np
import numba
import pytest
from numba import njit

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.backends.cpu import _bce_logits_kernels as B, _softplus_kernels as S, pointwise
from numbatorch.backends.cpu._float_math import vector_log1p

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import _assert_same_bits

pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
DTYPES = [np.float32, np.float64]
SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 5e-39, 20.0, -20.0, 22.5, 30.0, -30.0,
            88.0, -88.0, 100.0, -100.0, 1000.0, -1000.0]
LARGE = 1 << 17  # float32 elements: 512 KiB, the kernels' threshold


@njit(error_model="numpy")
def _log1p_loop(x, out):
    for i in range(x.size):
        out[i] = vector_log1p(x[i])


def _log1p(x):
    out = np.empty_like(x)
    _log1p_loop(x, out)
    return out


def _ulps(got, exact, dtype):
    """|got - exact| in units of the last place of ``exact`` rounded to ``dtype`` (subnormal spacing below)."""
    spacing = np.spacing(np.abs(exact.astype(dtype))).astype(np.longdouble)
    return np.abs(got.astype(np.longdouble) - exact) / spacing


@pytest.mark.parametrize("dtype, max_ulp", [(np.float32, 1.0), (np.float64, 1.0)])
def test_log1p_is_within_an_ulp_over_its_whole_range(dtype, max_ulp):
    info = np.finfo(dtype)
    rng = np.random.default_rng(0)
    magnitudes = np.exp(rng.uniform(np.log(float(info.smallest_subnormal)), np.log(float(info.max)), 40000))
    x = np.concatenate([magnitudes, -magnitudes[magnitudes < 1], -1 + np.exp(rng.uniform(-40, -1e-3, 5000)),
                        rng.uniform(-1, 1, 5000), [1.0, 0.5, -0.5, 2.0 ** -60, float(info.max)]]).astype(dtype)
    x = x[x > -1]
    if dtype == np.float64 and np.finfo(np.longdouble).nmant < 60:
        pytest.skip("no extended precision for a float64 reference")
    exact = np.log1p(x.astype(np.longdouble))  # a 64-bit mantissa on x86
    assert _ulps(_log1p(x), exact, dtype).max() <= max_ulp


@pytest.mark.parametrize("dtype", DTYPES)
def test_log1p_special_values(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([0.0, -0.0, tiny, -tiny, 1e-30, np.inf, -np.inf, np.nan, -1.0, -1.5, -np.finfo(dtype).max,
                  np.finfo(dtype).max], dtype)
    got = _log1p(x)
    _assert_same_bits(got[:5], x[:5])  # log1p(x) = x, signed zeros and subnormals included
    assert got[5] == np.inf and got[8] == -np.inf
    assert np.isnan(got[[6, 7, 9, 10]]).all()
    assert got[11] == np.log(np.finfo(dtype).max).astype(dtype)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86 assembly")
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_loop_over_log1p_is_vectorised(dtype):
    x = np.ones(4, dtype)
    _log1p(x)
    assembly = _log1p_loop.inspect_asm((numba.typeof(x), numba.typeof(x)))
    # packed divisions (s = f / (2 + f)): a libm call or a branch would have kept the loop scalar (divss/divsd)
    assert ("divps" if dtype == np.float32 else "divpd") in assembly


def _values(dtype, seed, size=LARGE, scale=8.0):
    a = (np.random.default_rng(seed).standard_normal(size) * scale).astype(dtype)
    a[:len(SPECIALS)] = SPECIALS
    return a


def _wide(x):
    """The reference's type: float64 for float32, extended precision for float64."""
    return x.astype(np.float64 if x.dtype == np.float32 else np.longdouble)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _references(x, grad, beta=1.0, threshold=20.0):
    """name -> (kernel twin, its arguments, the exact result in a wider type)."""
    v, g = _wide(x), _wide(grad)
    z = v * x.dtype.type(beta)
    t = np.tanh(np.logaddexp(0, v))
    b, th = x.dtype.type(beta), x.dtype.type(threshold)
    return {
        "softplus": (S._SOFTPLUS, (x, b, th), np.where(z > th, v, np.logaddexp(0, z) / b)),
        "softplus_backward": (S._SOFTPLUS_BACKWARD, (grad, x, b, th), np.where(z > th, g, g * _sigmoid(z))),
        "logsigmoid": (S._LOGSIGMOID, (x,), -np.logaddexp(0, -v)),
        "logsigmoid_backward": (S._LOGSIGMOID_BACKWARD, (grad, x), g * _sigmoid(-v)),
        "mish": (S._MISH, (x, x.dtype.type(S.MISH_LINEAR_FROM)), v * t),
        "mish_backward": (S._MISH_BACKWARD, (grad, x, x.dtype.type(S.MISH_LINEAR_FROM)),
                          g * (t + v * _sigmoid(v) * (1 - t * t))),
    }


def _scale(name, x, grad, exact):
    """What an error is measured against: the value, or for Mish's gradient, a sum whose terms may cancel (near
    x = -1.19), the terms' size."""
    if name != "mish_backward":
        return np.abs(exact)
    v = _wide(x)
    t = np.tanh(np.logaddexp(0, v))
    return np.abs(_wide(grad)) * (np.abs(t) + np.abs(v * _sigmoid(v) * (1 - t * t)))


def _run(twin, args, build="serial"):
    out = np.empty_like(args[0])
    getattr(twin, build)(*args, out)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 30.0)])
def test_softplus_family_is_within_a_few_ulp_and_the_builds_agree(dtype, beta, threshold):
    x = _values(dtype, 0, size=20000)
    grad = _values(dtype, 1, size=20000)[::-1].copy()
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).smallest_subnormal
    for name, (twin, args, exact) in _references(x, grad, beta, threshold).items():
        if beta != 1.0 and not name.startswith("softplus"):
            continue
        got = _run(twin, args)
        _assert_same_bits(_run(twin, args, "parallel"), got)
        finite = np.isfinite(exact)
        err = np.abs(got - exact)[finite]
        # where exp(-|x|) is subnormal its rounding (half its spacing) is multiplied by what follows (x, grad)
        subnormal = 4 * tiny * (1 + np.abs(_wide(x))) * (1 + np.abs(_wide(grad)) if "backward" in name else 1)
        assert np.all(err <= (4 * eps * _scale(name, x, grad, exact) + subnormal)[finite]), name
        assert np.array_equal(np.isnan(got), np.isnan(exact)), name
        assert np.array_equal(got[np.isinf(exact)], exact[np.isinf(exact)].astype(dtype)), name


def _bce_reference(x, y, a):
    """Loss and gradients from sums of like-signed terms: ``a softplus(-x) + (1 - y) softplus(x)``; the gradients'
    scale is their terms' size (soft targets make them cancel)."""
    v, t, p = _wide(x), _wide(y), _wide(a)
    loss = p * np.logaddexp(0, -v) + (1 - t) * np.logaddexp(0, v)
    up, down = (1 - t) * _sigmoid(v), p * _sigmoid(-v)
    return loss, up - down, up + down


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("soft", [False, True])
def test_bce_with_logits_kernels_are_within_a_few_ulp_and_the_builds_agree(dtype, soft):
    rng = np.random.default_rng(3)
    x = _values(dtype, 2, size=20000)
    y = (rng.uniform(size=x.size) if soft else rng.integers(0, 2, x.size)).astype(dtype)
    pos_weight = rng.uniform(0.25, 4, x.size).astype(dtype)
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).smallest_subnormal
    g = dtype(0.75)
    for a in (y, pos_weight * y):
        loss, grad, scale = _bce_reference(x, y, a)
        got = _run(B._LOSS, (x, y, a))
        got_grad = _run(B._GRAD_INPUT, (x, y, a, g))
        for twin, args, want in ((B._LOSS, (x, y, a), got), (B._GRAD_INPUT, (x, y, a, g), got_grad)):
            _assert_same_bits(_run(twin, args, "parallel"), want)
        for value, exact, size in ((got, loss, np.abs(loss)), (got_grad, g * grad, g * scale)):
            finite = np.isfinite(exact)
            err = np.abs(value - exact)[finite]
            assert np.all(err <= (4 * eps * size + 4 * tiny * (1 + np.abs(_wide(x))))[finite])
            assert np.array_equal(np.isnan(value), np.isnan(exact))
    # the target's gradient with pos_weight: pw softplus(-x) - softplus(x)
    v, w = _wide(x), _wide(pos_weight)
    up, down = w * np.logaddexp(0, -v), np.logaddexp(0, v)
    got = _run(B._GRAD_TARGET, (x, pos_weight, g))
    _assert_same_bits(_run(B._GRAD_TARGET, (x, pos_weight, g), "parallel"), got)
    finite = np.isfinite(up - down)
    assert np.all((np.abs(got - g * (up - down)) <= 4 * eps * g * (up + down) + 4 * tiny)[finite])


def _fd_check(forward, backward, x, h):
    """An elementwise op's backward against central differences of its forward, all elements at once."""
    grad = np.random.default_rng(7).uniform(0.5, 2, x.shape)
    numeric = grad * (forward(x + h) - forward(x - h)) / (2 * h)
    np.testing.assert_allclose(backward(grad, x), numeric, rtol=1e-6, atol=1e-9)


def test_backward_kernels_match_finite_differences_of_the_forward_ones():
    x = np.random.default_rng(6).uniform(-25, 25, 1 << 16)  # float64, 512 KiB: the kernels' size
    h = 1e-6
    _fd_check(lambda v: S.softplus(v, 1.5, 20.0), lambda g, v: S.softplus_backward(g, v, 1.5, 20.0), x, h)
    _fd_check(S.logsigmoid, S.logsigmoid_backward, x, h)
    _fd_check(S.mish, S.mish_backward, x, h)
    y = np.random.default_rng(8).uniform(size=x.size)
    pos_weight = np.array([0.5, 2.0, 3.0, 1.0])  # broadcast along the last axis
    weight = np.array([1.0, 0.5, 2.0, 1.5])
    xs, ys = x.reshape(-1, 4), y.reshape(-1, 4)
    _fd_check(lambda v: B.loss(v, ys, pos_weight, weight),
              lambda g, v: B.loss_backward(g, v, ys, pos_weight, weight, True)[0], xs, h)
    _fd_check(lambda t: B.loss(xs, t, pos_weight, weight),
              lambda g, t: B.loss_backward(g, xs, t, pos_weight, weight, True)[1], ys, h)


def _assert_close(ours, theirs, tolerance):
    """NaN where the other has NaN, infinities equal, the rest within ``tolerance`` (elementwise)."""
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    close = (ours == theirs) | (np.abs(ours - theirs) <= tolerance)
    assert np.all(close[~np.isnan(ours)])


def _torch_pair(torch, values, dtype):
    return nt.tensor(values, dtype=getattr(nt, dtype), requires_grad=True), \
        torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["softplus", "softplus(2, 5)", "logsigmoid", "mish", "mish_"])
def test_ops_match_pytorch_with_special_values(dtype, op):
    torch = pytest.importorskip("torch")
    values = _values(getattr(np, dtype), 9, scale=6.0).reshape(256, -1)
    grad = np.random.default_rng(10).standard_normal(values.shape).astype(dtype)
    call = {"softplus": lambda Fn, x: Fn.softplus(x), "softplus(2, 5)": lambda Fn, x: Fn.softplus(x, 2, 5),
            "logsigmoid": lambda Fn, x: Fn.logsigmoid(x), "mish": lambda Fn, x: Fn.mish(x),
            "mish_": lambda Fn, x: Fn.mish(x * 1, inplace=True)}[op]
    results = []
    for lib, x in zip((nt, torch), _torch_pair(torch, values, dtype)):
        y = call(lib.nn.functional, x)
        y.backward(lib.tensor(grad))
        results.append((y.detach().numpy(), x.grad.numpy()))
    # measured against the size of the terms: PyTorch's float32 forms cancel (Mish's gradient near x = -1.19)
    for ours, theirs, size in zip(*results, (np.abs(values) + 1, np.abs(grad) * (np.abs(values) + 1))):
        _assert_close(ours, theirs, 8 * np.finfo(dtype).eps * size)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_pytorch(dtype, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    values = _values(getattr(np, dtype), 12, scale=6.0).reshape(-1, 8)
    target = rng.uniform(size=values.shape).astype(dtype)
    target[::3] = np.round(target[::3])
    pos_weight = rng.uniform(0.5, 3, 8).astype(dtype)
    weight = rng.uniform(0.5, 2, 8).astype(dtype)
    grad = rng.standard_normal(values.shape).astype(dtype)
    for options in ({}, {"pos_weight": pos_weight}, {"weight": weight, "pos_weight": pos_weight}):
        results = []
        for lib in (nt, torch):
            x, y = (lib.tensor(a, requires_grad=True) for a in (values, target))
            loss = lib.nn.functional.binary_cross_entropy_with_logits(
                x, y, reduction=reduction, **{k: lib.tensor(v) for k, v in options.items()})
            loss.backward(lib.tensor(grad) if reduction == "none" else None)
            results.append([a.detach().numpy() for a in (loss, x.grad, y.grad)])
        # elementwise: against the size of the terms, pos_weight and weight (< 3, < 2) included (PyTorch's
        # float32 loss is 0 for x = -30, y = 0, not 9.4e-14)
        size = 8 * np.finfo(dtype).eps * (np.abs(values) + 1) * 6
        grad_size = size * np.abs(grad) if reduction == "none" else size / (values.size if reduction == "mean" else 1)
        (loss, *grads), (their_loss, *their_grads) = results
        if reduction == "none":
            _assert_close(loss, their_loss, size)
        else:
            np.testing.assert_allclose(loss, their_loss, rtol=1e-5 if dtype == "float32" else 1e-12)
        for ours, theirs in zip(grads, their_grads):
            _assert_close(ours, theirs, grad_size)


def test_below_512_kib_the_ops_keep_their_numpy_forms_bit_for_bit():
    x_np = _values(np.float32, 13, size=LARGE - 1024).reshape(-1, 8)  # 508 KiB
    y_np = np.random.default_rng(14).uniform(size=x_np.shape).astype(np.float32)
    pw_np = np.linspace(0.5, 3, 8, dtype=np.float32)
    assert S.softplus(x_np, 1.0, 20.0) is None and B.loss(x_np, y_np, None, None) is None
    x, y, pw = nt.tensor(x_np, requires_grad=True), nt.tensor(y_np, requires_grad=True), nt.tensor(pw_np)
    with np.errstate(all="ignore"):
        sp = np.where(x_np * 2 > 5, x_np, np.logaddexp(0, x_np * 2) / 2)
        sig = 1 / (1 + np.exp(-x_np * 2))
        ls = -np.logaddexp(0, -x_np)
        mish = x_np * np.tanh(np.logaddexp(0, x_np))
        t, s = np.tanh(np.logaddexp(0, x_np)), 1 / (1 + np.exp(-x_np))
        bce = -(pw_np * y_np * ls + (1 - y_np) * (ls - x_np))
        s_bce = np.exp(-np.logaddexp(0, -x_np))
        forms = [(F.softplus(x, 2, 5), sp, np.where(x_np * 2 > 5, 1, sig)),
                 (F.logsigmoid(x), ls, 1 / (1 + np.exp(x_np))),
                 (F.mish(x), mish, t + x_np * (1 - t * t) * s),
                 (F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=pw), bce,
                  (pw_np * y_np + 1 - y_np) * s_bce - pw_np * y_np)]
    for out, value, grad in forms:
        _assert_same_bits(out.detach().numpy(), value.astype(np.float32))
        x.grad = None
        out.backward(nt.ones_like(out))
        _assert_same_bits(x.grad.numpy(), grad.astype(np.float32))
    _assert_same_bits(y.grad.numpy(), (-(pw_np * ls - (ls - x_np))).astype(np.float32))


def test_from_512_kib_the_kernels_run_on_the_threads_for_any_layout(monkeypatch):
    threaded = spy_on_threads(pointwise, monkeypatch)
    x = np.random.default_rng(15).standard_normal((1024, 128)).T  # 512 KiB, transposed: not C-contiguous
    y = np.random.default_rng(16).uniform(size=x.shape)
    assert x.nbytes == 8 * LARGE and not x.flags.c_contiguous
    contiguous = np.ascontiguousarray(x)
    for op, args in ((S.softplus, (1.0, 20.0)), (S.logsigmoid, ()), (S.mish, ())):
        _assert_same_bits(op(x, *args), op(contiguous, *args))
    _assert_same_bits(B.loss(x, y, None, None), B.loss(contiguous, y, None, None))
    assert threaded == [S._SOFTPLUS] * 2 + [S._LOGSIGMOID] * 2 + [S._MISH] * 2 + [B._LOSS] * 2


def test_other_dtypes_and_mixed_arrays_are_left_to_the_numpy_forms():
    x = np.ones(LARGE, np.float16)
    assert S.softplus(x, 1.0, 20.0) is None and S.mish(x) is None
    x32, y64 = np.ones(LARGE, np.float32), np.ones(LARGE, np.float64)
    assert B.loss(x32, y64, None, None) is None
    assert B.loss(x32, x32, np.ones(3, np.float32), None) is None  # pos_weight not broadcasting to x's shape
    assert B.loss_backward(y64, x32, x32, None, None, True) is None  # a gradient of another dtype
