"""The Winograd F(2x2, 3x3) and F(4x4, 3x3) paths of 3x3 convolutions against torch.nn.functional: forward,
input and weight gradients, gradcheck, and bit-identical results for any thread count."""
import os
import subprocess
import sys

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck
from numbatorch.backends.cpu import _winograd, conv

torch = pytest.importorskip("torch")
F = torch.nn.functional

# the tolerance of tests/backends/test_cpu_conv.py: max error over (1 + largest magnitude)
TOL = {np.float64: 1e-10, np.float32: 1e-4}

CASES = [
    # N, Cin, Cout, (H, W), padding
    (2, 16, 16, (32, 32), 1),
    (2, 17, 19, (33, 30), 0),        # odd channel counts, odd height
    (1, 20, 18, (41, 45), 2),        # batch 1, odd width: the last tile column is half outside
    (4, 16, 24, (23, 24), (0, 2)),
    (3, 16, 16, (26, 27), 3),        # padding wider than the kernel: the input gradient crops
]


def _forward_tile(monkeypatch, tile):
    """Make the forward and both gradients run F(tile x tile, 3x3) whatever the output's width."""
    monkeypatch.setattr(_winograd, "F4_MIN_WIDTH", 0 if tile == 4 else 1 << 30)


def _rel_err(a, b):
    b = b.detach().numpy()
    assert a.shape == b.shape
    return np.abs(a - b).max() / (1.0 + np.abs(b).max())


@pytest.mark.parametrize("tile", [2, 4])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_winograd_conv_matches_torch(case, dtype, tile, monkeypatch):
    _forward_tile(monkeypatch, tile)
    N, C, Co, size, p = case
    pad = (p, p) if isinstance(p, int) else p
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C) + size).astype(dtype)
    w = rng.standard_normal((Co, C, 3, 3)).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype)
    assert _winograd.winograd_applies(x.shape, w.shape, (1, 1), pad, (1, 1), 1)
    y = conv.conv_forward(x, w, b, (1, 1), pad, (1, 1), 1)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = F.conv2d(tx, tw, tb, padding=pad)
    assert y.dtype == dtype and _rel_err(y, ty) < TOL[dtype]
    gy = rng.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    for mask in ((True, True, True), (True, False, False), (False, True, False), (False, False, True)):
        gx, gw, gb = conv.conv_backward(gy, x, w, (1, 1), pad, (1, 1), 1, mask)
        if mask[0]:
            assert gx.dtype == dtype and _rel_err(gx, tx.grad) < TOL[dtype]
        else:
            assert gx is None
        if mask[1]:
            assert gw.dtype == dtype and _rel_err(gw, tw.grad) < TOL[dtype]
        else:
            assert gw is None
        if mask[2]:
            assert gb.dtype == dtype and _rel_err(gb, tb.grad) < TOL[dtype]
        else:
            assert gb is None


def test_winograd_conv_without_bias_through_module():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 16, 20, 21)).astype(np.float32)
    layer = nt.nn.Conv2d(16, 32, 3, padding=1, bias=False)
    tlayer = torch.nn.Conv2d(16, 32, 3, padding=1, bias=False)
    with torch.no_grad():
        tlayer.weight.copy_(torch.tensor(layer.weight.detach().numpy()))
    xn, xt = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yn, yt = layer(xn), tlayer(xt)
    assert _rel_err(yn.detach().numpy(), yt) < TOL[np.float32]
    yn.sum().backward()
    yt.sum().backward()
    assert _rel_err(xn.grad.numpy(), xt.grad) < TOL[np.float32]
    assert _rel_err(layer.weight.grad.numpy(), tlayer.weight.grad) < TOL[np.float32]


@pytest.mark.parametrize("tile", [2, 4])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_winograd_conv_gradcheck(padding, tile, monkeypatch):
    # small enough for a numerical Jacobian: lower the path's size thresholds
    _forward_tile(monkeypatch, tile)
    monkeypatch.setattr(_winograd, "MIN_CHANNELS", 1)
    monkeypatch.setattr(_winograd, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_winograd, "MIN_WIDTH", 2)
    rng = np.random.default_rng(2)
    x = nt.tensor(rng.standard_normal((2, 2, 5, 4)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = nt.tensor(rng.standard_normal(3), requires_grad=True)
    assert _winograd.winograd_applies(x.shape, w.shape, (1, 1), (padding,) * 2, (1, 1), 1)
    assert gradcheck(lambda x, w, b: nt.nn.functional.conv2d(x, w, b, padding=padding), (x, w, b))


def _grads(threads):
    nt.set_num_threads(threads)
    rng = np.random.default_rng(3)
    x = nt.tensor(rng.standard_normal((8, 16, 34, 34)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((16, 16, 3, 3)).astype(np.float32), requires_grad=True)
    b = nt.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    y = nt.nn.functional.conv2d(x, w, b, padding=1)
    y.backward(nt.tensor(rng.standard_normal(y.shape).astype(np.float32)))
    return tuple(a.numpy().tobytes() for a in (y.detach(), x.grad, w.grad, b.grad))


@pytest.mark.parametrize("tile", [2, 4])
def test_winograd_conv_is_bit_identical_for_any_thread_count(tile, monkeypatch):
    if nt.get_num_threads() < 2:
        pytest.skip("needs two threads")
    _forward_tile(monkeypatch, tile)
    threads = nt.get_num_threads()
    nt.use_deterministic_algorithms(True)
    try:
        assert _winograd.winograd_applies((8, 16, 34, 34), (16, 16, 3, 3), (1, 1), (1, 1), (1, 1), 1)
        first = _grads(2)
        assert _grads(2) == first
        assert _grads(1) == first
    finally:
        nt.use_deterministic_algorithms(False)
        nt.set_num_threads(threads)


@pytest.mark.parametrize("threads", [1, 2])
def test_winograd_conv_strided_arrays_give_the_contiguous_bits(threads):
    # a sum's gradient reaches the backward as a broadcast (all strides 0: read as one sample), a sliced input as
    # a strided view (copied on the worker threads): results exactly those of contiguous copies, close to torch's
    if threads > nt.get_num_threads():
        pytest.skip("needs two threads")
    saved = nt.get_num_threads()
    nt.set_num_threads(threads)
    try:
        rng = np.random.default_rng(6)
        x = rng.standard_normal((3, 16, 30, 60)).astype(np.float32)[:, :, :, ::2]
        w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
        args = ((1, 1), (1, 1), (1, 1), 1)
        assert _winograd.winograd_applies(x.shape, w.shape, *args) and not x.flags.c_contiguous
        y = conv.conv_forward(x, w, None, *args)
        gy = np.broadcast_to(np.float32(0.5), y.shape)
        gx, gw, gb = conv.conv_backward(gy, x, w, *args)
        assert y.tobytes() == conv.conv_forward(np.ascontiguousarray(x), w, None, *args).tobytes()
        gx_c, gw_c, _ = conv.conv_backward(np.ascontiguousarray(gy), np.ascontiguousarray(x), w, *args)
        assert gx.tobytes() == gx_c.tobytes() and gw.tobytes() == gw_c.tobytes()
    finally:
        nt.set_num_threads(saved)
    tx, tw = torch.tensor(np.ascontiguousarray(x), requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = torch.zeros(16, requires_grad=True)
    ty = F.conv2d(tx, tw, tb, padding=1)
    ty.backward(torch.tensor(np.ascontiguousarray(gy)))
    for ours, theirs in ((y, ty), (gx, tx.grad), (gw, tw.grad), (gb, tb.grad)):
        assert _rel_err(ours, theirs) < TOL[np.float32]


@pytest.mark.parametrize("tile", [2, 4])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_winograd_conv_non_finite_input_gives_torchs_inf_and_nan(bad, tile, monkeypatch):
    # the transforms would subtract infinities: such results are computed the direct way
    _forward_tile(monkeypatch, tile)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 16, 32, 32)).astype(np.float32)
    x[1, 5, 7, 30] = bad
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    y = conv.conv_forward(x, w, None, (1, 1), (1, 1), (1, 1), 1)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw, padding=1)
    gy = rng.standard_normal(ty.shape).astype(np.float32)
    ty.backward(torch.tensor(gy))
    gx, gw, _ = conv.conv_backward(gy, x, w, (1, 1), (1, 1), (1, 1), 1)
    for ours, theirs in ((y, ty), (gx, tx.grad), (gw, tw.grad)):
        theirs = theirs.detach().numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_array_equal(np.isposinf(ours), np.isposinf(theirs))
        np.testing.assert_array_equal(np.isneginf(ours), np.isneginf(theirs))
        finite = np.isfinite(theirs)
        assert np.abs(ours[finite] - theirs[finite]).max() / (1.0 + np.abs(theirs[finite]).max()) < 1e-4


@pytest.mark.parametrize("tile", [2, 4])
def test_winograd_conv_batch_broadcast_gradient_gives_the_contiguous_bits(tile, monkeypatch):
    # a gradient broadcast over the batch (zero batch stride) is read as one sample for all: the bits of its
    # contiguous copy, on chunks that span several samples
    _forward_tile(monkeypatch, tile)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((8, 16, 7, 48)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1), 1)
    assert _winograd.winograd_applies(x.shape, w.shape, *args)
    y = conv.conv_forward(x, w, None, *args)
    gy = np.broadcast_to(rng.standard_normal((1,) + y.shape[1:]).astype(np.float32), y.shape)
    grads = conv.conv_backward(gy, x, w, *args)
    for ours, copied in zip(grads, conv.conv_backward(np.ascontiguousarray(gy), x, w, *args)):
        assert ours.tobytes() == copied.tobytes()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = torch.zeros(16, requires_grad=True)
    F.conv2d(tx, tw, tb, padding=1).backward(torch.tensor(np.ascontiguousarray(gy)))
    for ours, theirs in zip(grads, (tx.grad, tw.grad, tb.grad)):
        assert _rel_err(ours, theirs) < TOL[np.float32]


@pytest.mark.parametrize("tile", [2, 4])
def test_winograd_conv_batch_expanded_input_gives_the_contiguous_bits(tile, monkeypatch):
    # an input expanded over the batch (zero batch stride) is read as one sample for all, in the forward and in
    # the weight gradient: the bits of its contiguous copy
    _forward_tile(monkeypatch, tile)
    rng = np.random.default_rng(8)
    x = np.broadcast_to(rng.standard_normal((1, 16, 7, 48)).astype(np.float32), (8, 16, 7, 48))
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1), 1)
    assert _winograd.winograd_applies(x.shape, w.shape, *args)
    y = conv.conv_forward(x, w, None, *args)
    assert y.tobytes() == conv.conv_forward(np.ascontiguousarray(x), w, None, *args).tobytes()
    gy = rng.standard_normal(y.shape).astype(np.float32)
    grads = conv.conv_backward(gy, x, w, *args)
    for ours, copied in zip(grads, conv.conv_backward(gy, np.ascontiguousarray(x), w, *args)):
        assert ours.tobytes() == copied.tobytes()
    tx, tw = torch.tensor(np.ascontiguousarray(x)), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw, padding=1)
    ty.backward(torch.tensor(gy))
    assert _rel_err(y, ty.detach()) < TOL[np.float32] and _rel_err(grads[1], tw.grad) < TOL[np.float32]


@pytest.mark.parametrize("shape", [(8, 16, 7, 48), (1, 16, 16, 128)])
@pytest.mark.parametrize("tile", [2, 4])
def test_winograd_transforms_read_a_broadcast_sample_as_a_writeable_array(tile, shape, monkeypatch):
    # a contiguous broadcast sample is a read-only view (also as a batch of one): passed as it is, the kernels
    # would compile a read-only signature of their own
    _forward_tile(monkeypatch, tile)
    seen = []
    for name in ("transform_tiles", "input_tiles4", "gradient_tiles4"):
        def spy(a, *args, _kernel=getattr(_winograd, name)):
            seen.append(a.flags.writeable and a.flags.c_contiguous)
            return _kernel(a, *args)
        monkeypatch.setattr(_winograd, name, spy)
    rng = np.random.default_rng(9)
    x = np.broadcast_to(rng.standard_normal(shape[1:]).astype(np.float32), shape)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1), 1)
    assert _winograd.winograd_applies(x.shape, w.shape, *args)
    y = conv.conv_forward(x, w, None, *args)
    conv.conv_backward(np.broadcast_to(y[:1], y.shape), x, w, *args)
    assert seen and all(seen)


@pytest.mark.parametrize("tile", [2, 4])
def test_winograd_conv_runs_without_jit(tile):
    # the kernels as plain Python (NUMBA_DISABLE_JIT): unsigned offsets must never go negative there
    code = (
        "import numpy as np\n"
        "from numbatorch.backends.cpu import _winograd, conv\n"
        "_winograd.MIN_CHANNELS, _winograd.MIN_WIDTH, _winograd.MIN_ELEMENTS = 1, 2, 0\n"
        f"_winograd.F4_MIN_WIDTH = {0 if tile == 4 else 1 << 30}\n"
        "rng = np.random.default_rng(5)\n"
        "x, w = rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((3, 2, 3, 3))\n"
        "args = ((1, 1), (1, 2), (1, 1), 1)\n"
        "assert _winograd.winograd_applies(x.shape, w.shape, *args)\n"
        "y = conv.conv_forward(x, w, None, *args)\n"
        "xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)))\n"
        "ref = sum(np.einsum('nchw,oc->nohw', xp[:, :, a:a + y.shape[2], b:b + y.shape[3]], w[:, :, a, b])\n"
        "          for a in range(3) for b in range(3))\n"
        "assert np.abs(y - ref).max() < 1e-12\n"
        "gy = rng.standard_normal(y.shape)\n"
        "gx, gw, _ = conv.conv_backward(gy, x, w, *args)\n"
        "gxp, gw_ref = np.zeros_like(xp), np.zeros_like(w)\n"
        "for a in range(3):\n"
        "    for b in range(3):\n"
        "        window = (slice(None), slice(None), slice(a, a + y.shape[2]), slice(b, b + y.shape[3]))\n"
        "        gxp[window] += np.einsum('nohw,oc->nchw', gy, w[:, :, a, b])\n"
        "        gw_ref[:, :, a, b] = np.einsum('nohw,nchw->oc', gy, xp[window])\n"
        "assert np.abs(gx - gxp[:, :, 1:-1, 2:-2]).max() < 1e-12 and np.abs(gw - gw_ref).max() < 1e-12\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)
