"""Tiered kernels: a numpy stand-in serves the calls while the Numba build is not cached, then the build
compiles; both tiers give bit-identical results on the same inputs."""
import threading

import numpy as np
import pytest
from numba import njit

from numbatorch.backends.cpu import _im2col, _pool_kernels, _stand_ins, _tiered


def _both_tiers(kernel, stand_in, *arrays_and_args):
    """Run the compiled kernel and the stand-in on copies of the same arguments; returns both argument lists."""
    ours = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays_and_args]
    theirs = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays_and_args]
    kernel(*ours)
    stand_in(*theirs)
    return ours, theirs


def _assert_same_bits(ours, theirs):
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))


# (C, D, H, W, kernel, stride, dilation, n0, nb, r0, nr, spare columns)
_IM2COL_CASES = [
    (3, 1, 10, 9, (1, 3, 3), (1, 1, 1), (1, 1, 1), 0, 2, 0, 8, 0),
    (2, 1, 11, 12, (1, 3, 2), (1, 2, 3), (1, 2, 1), 1, 2, 0, 4, 5),
    (2, 1, 9, 9, (1, 3, 3), (1, 1, 1), (1, 1, 1), 1, 1, 2, 3, 0),
    (2, 5, 6, 7, (2, 3, 2), (1, 1, 2), (2, 1, 1), 0, 1, 2, 7, 3),   # rows span output depths: order matters
]


@pytest.mark.parametrize("case", _IM2COL_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_stand_in_equals_kernel(case, dtype):
    C, D, H, W, k, s, d, n0, nb, r0, nr, spare = case
    rng = np.random.default_rng(0)
    oD, oH, oW = ((size - dil * (kk - 1) - 1) // st + 1 for size, kk, st, dil in zip((D, H, W), k, s, d))
    xp = rng.standard_normal((n0 + nb + 1, C, D, H, W)).astype(dtype)
    col = rng.standard_normal((C * k[0] * k[1] * k[2], nb * nr * oW + spare)).astype(dtype)
    assert r0 + nr <= oD * oH
    for to_col in (True, False):
        ours, theirs = _both_tiers(_im2col.im2col_transfer.serial.kernel, _stand_ins.im2col_transfer,
                                   xp, col, n0, nb, r0, nr, *k, *s, *d, oH, oW, to_col)
        _assert_same_bits(ours, theirs)


@pytest.mark.parametrize("nb, h0, nh, kw, spare", [(2, 0, 6, 3, 0), (1, 2, 3, 5, 4)])
def test_row_shifts_stand_in_equals_kernel(nb, h0, nh, kw, spare):
    rng = np.random.default_rng(4)
    C, H, W = 3, 9, 11
    oW = W - kw + 1
    xp = rng.standard_normal((nb + 2, C, 1, H, W)).astype(np.float32)
    col = rng.standard_normal((C * kw, nh * nb * oW + spare)).astype(np.float32)
    for to_col in (True, False):  # col2im: the kw shifts add into one element, in the kernel's order
        ours, theirs = _both_tiers(_im2col.row_shifts_transfer.kernel, _stand_ins.row_shifts_transfer,
                                   xp, col, 1, nb, h0, nh, kw, oW, to_col)
        _assert_same_bits(ours, theirs)


def _with_nans_and_ties(rng, shape, dtype):
    x = rng.integers(0, 4, shape).astype(dtype)  # many ties
    if np.issubdtype(dtype, np.floating):
        x[rng.random(shape) < 0.1] = np.nan
        x[rng.random(shape) < 0.1] = -0.0
    return x


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])   # pool.index_dtype's two widths
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_maxpool2x2_stand_in_equals_kernel(dtype, index_dtype):
    rng = np.random.default_rng(1)
    x = _with_nans_and_ties(rng, (6, 1, 9, 8), dtype)
    out = np.zeros((6, 1, 4, 4), dtype)
    idx = np.zeros(out.shape, index_dtype)
    _assert_same_bits(*_both_tiers(_pool_kernels.maxpool2x2.serial.kernel, _stand_ins.maxpool2x2, x, out, idx))


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])   # the pools' int32, PyTorch's int64 (unpool's)
def test_scatter_add_stand_in_equals_kernel(index_dtype):
    rng = np.random.default_rng(2)
    gy = rng.standard_normal((5, 40)).astype(np.float32)
    idx = rng.integers(0, 7, gy.shape, dtype=index_dtype)  # repeated positions: the order of the additions shows
    gx = rng.standard_normal((5, 7)).astype(np.float32)
    _assert_same_bits(*_both_tiers(_pool_kernels.scatter_add.serial.kernel, _stand_ins.scatter_add, gy, idx, gx))


def _adaptive_windows(size, out):
    starts = np.array([[i * size // out for i in range(out)]], np.int64)
    ends = np.array([[-(-(i + 1) * size // out) for i in range(out)]], np.int64)
    return starts, ends


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
@pytest.mark.parametrize("out_size", [(1, 1, 1), (1, 3, 2), (2, 4, 5)])
def test_window_max_stand_in_equals_kernel(dtype, out_size):
    rng = np.random.default_rng(3)
    x = _with_nans_and_ties(rng, (4, 3, 7, 6), dtype)
    wins = [w for size, o in zip(x.shape[1:], out_size) for w in _adaptive_windows(size, o)]
    out = np.zeros((4,) + out_size, dtype)
    idx = np.zeros(out.shape, np.int64)
    _assert_same_bits(*_both_tiers(_pool_kernels.window_max.serial.kernel, _stand_ins.window_max,
                                   x, out, idx, *wins))



@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_plane_max_stand_in_equals_kernel(dtype):
    x = _with_nans_and_ties(np.random.default_rng(4), (40, 9), dtype)
    _assert_same_bits(*_both_tiers(_pool_kernels.plane_max.serial.kernel, _stand_ins.plane_max,
                                   x, np.zeros(40, dtype), np.zeros(40, np.int64)))

def test_window_max_stand_in_declines_per_plane_windows():
    x = np.zeros((2, 1, 4, 4), np.float32)
    per_plane = np.zeros((2, 1), np.int64)
    with pytest.raises(_tiered.Unsupported):
        _stand_ins.window_max(x, x[:, :1, :1, :1], np.zeros((2, 1, 1, 1), np.int64),
                              per_plane, per_plane + 1, per_plane, per_plane + 4, per_plane, per_plane + 4)


def _double(x, out):
    for i in range(x.size):
        out[i] = 2 * x[i]


def _fake_tiered(monkeypatch, seconds_per_stand_in):
    """A Tiered kernel that is in no disk cache (cache=False), on a fake clock; returns it and its stand-in calls."""
    clock = [0.0]
    calls = []

    def stand_in(x, out):
        if x.dtype == np.int64:
            raise _tiered.Unsupported
        clock[0] += seconds_per_stand_in
        calls.append(x[0])
        np.multiply(x, 2, out=out)
    monkeypatch.setattr(_tiered.time, "thread_time", lambda: clock[0])
    return _tiered.Tiered(njit(_double), stand_in), calls


def test_uncached_kernel_stands_in_until_its_budget_then_compiles(monkeypatch):
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1.0)
    tiered, calls = _fake_tiered(monkeypatch, 0.4)
    for i in range(5):
        x = np.arange(i, i + 4.0)
        out = np.zeros_like(x)
        tiered(x, out)
        np.testing.assert_array_equal(out, 2 * x)
    # 0.4 s per stand-in call: the third brings the total past 1 s, so the fourth call compiles
    assert calls == [0.0, 1.0, 2.0]
    assert len(tiered.signatures) == 1


def test_unsupported_arguments_compile_at_once(monkeypatch):
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1e9)
    tiered, calls = _fake_tiered(monkeypatch, 0.0)
    x = np.arange(4)
    out = np.zeros_like(x)
    tiered(x, out)
    np.testing.assert_array_equal(out, 2 * x)
    assert calls == [] and len(tiered.signatures) == 1
    y = np.arange(4.0)
    tiered(y, np.zeros_like(y))  # another signature: still served by the stand-in
    assert calls == [0.0] and len(tiered.signatures) == 1


def test_zero_budget_compiles_at_the_first_call(monkeypatch):
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 0.0)
    tiered, calls = _fake_tiered(monkeypatch, 0.4)
    x = np.arange(4.0)
    tiered(x, np.zeros_like(x))
    assert calls == [] and len(tiered.signatures) == 1


def test_threads_share_a_cold_kernel(monkeypatch):
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1e9)
    tiered, calls = _fake_tiered(monkeypatch, 0.0)
    results = {}

    def work(i):
        x = np.full(1000, float(i))
        out = np.zeros_like(x)
        for _ in range(20):
            tiered(x, out)
        results[i] = out

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(results[i], np.full(1000, 2.0 * i)) for i in range(4))
    assert len(calls) == 80 and tiered.signatures == []


def _norm_input(rng, shape, dtype):
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    x.reshape(-1)[:shape[-1]] = -0.0  # an all-negative-zero start: the sums' first additions show their sign
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(4, 3, 10), (1, 3, 37), (5, 3, 1)])
def test_batch_norm_stand_ins_equal_kernels(dtype, affine, shape):
    from numbatorch.backends.cpu import _norm_kernels
    rng = np.random.default_rng(5)
    x = _norm_input(rng, shape, dtype)
    x[:, 0] = -0.0
    stats = (x, 1e-5, np.zeros(3), np.zeros(3))
    _assert_same_bits(*_both_tiers(_norm_kernels.bn_stats.serial.kernel, _stand_ins.bn_stats, *stats))
    w, b = (rng.standard_normal((2, 3)).astype(dtype) if affine else np.empty((2, 0), dtype))
    applied = (x, rng.standard_normal(3), rng.random(3) + 0.5, w, b, np.zeros_like(x))
    _assert_same_bits(*_both_tiers(_norm_kernels.bn_apply.serial.kernel, _stand_ins.bn_apply, *applied))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("G, Cg, S, affine", [(1, 12, 1, True), (3, 2, 5, True), (2, 3, 4, False)])
def test_row_norm_stand_in_equals_kernel(dtype, G, Cg, S, affine):
    from numbatorch.backends.cpu import _norm_kernels
    rng = np.random.default_rng(6)
    x = _norm_input(rng, (2 * G, Cg * S), dtype)
    w, b = (rng.standard_normal((2, G * Cg)).astype(dtype) if affine else np.empty((2, 0), dtype))
    args = (x, w, b, G, Cg, S, 1e-5, np.zeros_like(x), np.zeros(2 * G), np.zeros(2 * G))
    _assert_same_bits(*_both_tiers(_norm_kernels.rownorm_forward.serial.kernel, _stand_ins.rownorm_forward, *args))


@pytest.mark.parametrize("dtype, wdtype",
                         [(np.float32, np.float64), (np.float64, np.float64), (np.float32, np.float32)])
def test_resample_stand_ins_equal_kernels(dtype, wdtype):
    from numbatorch.backends.cpu import _resample_kernels
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 5, 4)).astype(dtype)
    idx = rng.integers(0, 5, (8, 2))  # several outputs share inputs: the backward's order shows
    wts = rng.random((8, 2)).astype(wdtype)
    forward = (x, idx, wts, rng.standard_normal((3, 8, 4)).astype(dtype))
    _assert_same_bits(*_both_tiers(_resample_kernels.resample_axis.serial.kernel, _stand_ins.resample_axis,
                                   *forward))
    backward = (rng.standard_normal((3, 8, 4)).astype(dtype), idx, wts, x)
    _assert_same_bits(*_both_tiers(_resample_kernels.resample_axis_backward.serial.kernel,
                                   _stand_ins.resample_axis_backward, *backward))


def _model_outputs(nt):
    """Output, loss and gradients of a small network touching every tiered kernel."""
    nt.manual_seed(0)
    nn, F = nt.nn, nt.nn.functional
    net = nn.Sequential(nn.Conv2d(3, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 16, 5, padding=2), nn.GroupNorm(2, 16), nn.AdaptiveMaxPool2d(2))
    x = nt.randn(4, 3, 14, 14, requires_grad=True)
    h = net(x)
    y = nn.LayerNorm(16)(F.interpolate(h, scale_factor=2, mode="bilinear").flatten(2).transpose(1, 2))
    z = F.max_pool2d(x, 3, stride=2, padding=1) + F.adaptive_avg_pool2d(x, 7) + F.avg_pool2d(x, 3, 2, 1)
    ((y * nt.randn(y.shape)).sum() + (z * nt.randn(z.shape)).sum()).backward()
    return [y.detach().numpy(), z.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in net.parameters()]


def test_a_model_gives_the_same_bits_on_stand_ins(monkeypatch):
    import numbatorch as nt

    def not_cached(*args):
        raise _tiered.NotCached

    compiled = _model_outputs(nt)
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1e9)
    stand_ins = {}
    for tiered in list(_tiered._tiered_by_kernel.values()):
        monkeypatch.setattr(tiered, "kernel", not_cached)
        for name, value in (("stand_in_calls", 0), ("stand_in_seconds", 0.0), ("_cold", set())):
            monkeypatch.setattr(tiered, name, value)
        stand_ins[tiered.stand_in.__name__] = tiered
    numpy_only = _model_outputs(nt)
    used = {name for name, tiered in stand_ins.items() if tiered.stand_in_calls}
    assert {"bn_stats", "bn_apply", "maxpool2x2", "window_max", "scatter_add", "resample_axis", "im2col_transfer",
            "resample_axis_backward", "rownorm_forward", "maxpool", "window_avg", "bn_grad_sums", "bn_grad_input",
            "rownorm_backward", "avgpool"} <= used
    assert all(np.array_equal(a.view(np.uint8), b.view(np.uint8)) for a, b in zip(compiled, numpy_only))


# (planes shape (P, D, H, W), kernel, stride, padding, dilation)
_MAXPOOL_CASES = [
    ((3, 1, 9, 8), (1, 3, 3), (1, 2, 2), (0, 1, 1), (1, 1, 1)),
    ((2, 1, 10, 11), (1, 2, 3), (1, 1, 2), (0, 1, 0), (1, 2, 2)),
    ((2, 5, 6, 6), (2, 2, 2), (2, 1, 2), (1, 0, 1), (1, 1, 1)),
]


@pytest.mark.parametrize("case", _MAXPOOL_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_maxpool_stand_in_equals_kernel(case, dtype):
    shape, k, s, p, d = case
    rng = np.random.default_rng(8)
    x = _with_nans_and_ties(rng, shape, dtype)
    osz = tuple((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, pp, dd in zip(shape[1:], k, s, p, d))
    out = np.zeros(shape[:1] + osz, dtype)
    idx = np.zeros(out.shape, np.int64)
    _assert_same_bits(*_both_tiers(_pool_kernels.maxpool.serial.kernel, _stand_ins.maxpool,
                                   x, out, idx, *k, *s, *p, *d))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("out_size", [(1, 1, 1), (1, 3, 4), (2, 4, 5)])
def test_window_avg_stand_in_equals_kernel(dtype, out_size):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 3, 7, 6)).astype(dtype)
    wins = [w for size, o in zip(x.shape[1:], out_size) for w in _adaptive_windows(size, o)]
    out = np.zeros((4,) + out_size, dtype)
    _assert_same_bits(*_both_tiers(_pool_kernels.window_avg.serial.kernel, _stand_ins.window_avg,
                                   x, out, out, x, False, *wins))
    gy = rng.standard_normal(out.shape).astype(dtype)
    gx = rng.standard_normal(x.shape).astype(dtype)  # overlapping windows add into one element in order
    _assert_same_bits(*_both_tiers(_pool_kernels.window_avg.serial.kernel, _stand_ins.window_avg,
                                   gx, gy, gy, gx, True, *wins))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine, training", [(True, True), (False, True), (True, False)])
@pytest.mark.parametrize("shape", [(4, 3, 10), (1, 3, 37), (5, 3, 1)])
def test_batch_norm_backward_stand_ins_equal_kernels(dtype, affine, training, shape):
    from numbatorch.backends.cpu import _norm_kernels
    rng = np.random.default_rng(10)
    x = _norm_input(rng, shape, dtype)
    gy = _norm_input(rng, x.shape, dtype)
    gy[:, 0] = -0.0
    mean, invstd = rng.standard_normal(3), rng.random(3) + 0.5
    sums = (gy, x, mean, invstd, np.zeros(3), np.zeros(3))
    _assert_same_bits(*_both_tiers(_norm_kernels.bn_grad_sums.serial.kernel, _stand_ins.bn_grad_sums, *sums))
    w = rng.standard_normal(3).astype(dtype) if affine else np.empty(0, dtype)
    grad = (gy, x, mean, invstd, w, rng.standard_normal(3), rng.standard_normal(3), training, np.zeros_like(x))
    _assert_same_bits(*_both_tiers(_norm_kernels.bn_grad_input.serial.kernel, _stand_ins.bn_grad_input, *grad))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("G, Cg, S, affine", [(1, 12, 1, True), (3, 2, 5, True), (2, 3, 4, False)])
def test_row_norm_backward_stand_in_equals_kernel(dtype, G, Cg, S, affine):
    from numbatorch.backends.cpu import _norm_kernels
    rng = np.random.default_rng(11)
    x = _norm_input(rng, (2 * G, Cg * S), dtype)
    gy = _norm_input(rng, x.shape, dtype)
    w = rng.standard_normal(G * Cg).astype(dtype) if affine else np.empty(0, dtype)
    args = (gy, x, rng.standard_normal(2 * G), rng.random(2 * G) + 0.5, w, G, Cg, S, np.zeros_like(x))
    _assert_same_bits(*_both_tiers(_norm_kernels.rownorm_backward.serial.kernel, _stand_ins.rownorm_backward,
                                   *args))


# (planes shape, kernel, stride, padding, count_include_pad, divisor): overlapping windows, padding, ceil-mode
# style partial windows (output sizes one larger than the floor)
_AVGPOOL_CASES = [
    ((3, 1, 9, 8), (1, 3, 3), (1, 2, 2), (0, 1, 1), True, 0, (1, 5, 4)),
    ((3, 1, 9, 8), (1, 3, 3), (1, 2, 2), (0, 1, 1), False, 0, (1, 5, 5)),
    ((2, 4, 7, 6), (2, 3, 2), (1, 1, 2), (1, 1, 0), True, 5, (5, 7, 3)),
]


@pytest.mark.parametrize("case", _AVGPOOL_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avgpool_stand_in_equals_kernel(case, dtype):
    shape, k, s, p, include_pad, divisor, osz = case
    rng = np.random.default_rng(12)
    x = _norm_input(rng, shape, dtype)
    out = np.zeros(shape[:1] + osz, dtype)
    _assert_same_bits(*_both_tiers(_pool_kernels.avgpool.serial.kernel, _stand_ins.avgpool,
                                   x, out, out, x, False, *k, *s, *p, include_pad, divisor))
    gy = _norm_input(rng, out.shape, dtype)
    gx = _norm_input(rng, shape, dtype)
    _assert_same_bits(*_both_tiers(_pool_kernels.avgpool.serial.kernel, _stand_ins.avgpool,
                                   gx, gy, gy, gx, True, *k, *s, *p, include_pad, divisor))
