"""numbatorch.backends.cpu.conv against torch.nn.functional (forward, input/weight/bias grads)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _conv_tiles, _parallel, conv, fold
from numbatorch.nn.functional._shape_args import ntuple

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: 1e-10, np.float32: 1e-4}


def _fwd(x, w, b=None, s=1, p=0, d=1, g=1):
    """conv_forward with the per-dim tuples the family module normalises to."""
    nd = w.ndim - 2
    return conv.conv_forward(x, w, b, ntuple(s, nd), ntuple(p, nd), ntuple(d, nd), g)


def _bwd(gy, x, w, s=1, p=0, d=1, g=1, output_mask=(True, True, True)):
    nd = w.ndim - 2
    return conv.conv_backward(gy, x, w, ntuple(s, nd), ntuple(p, nd), ntuple(d, nd), g, output_mask)


def _rel_err(a, b):
    b = b.detach().numpy()
    assert a.shape == b.shape
    return np.abs(a - b).max() / (1.0 + np.abs(b).max())


CONV_CASES = [
    # nd, N, Cin, Cout, spatial, k, stride, padding, dilation, groups
    (2, 2, 4, 6, (7, 9), 3, 2, 1, 1, 2),
    (2, 1, 3, 4, (8, 5), 3, 1, 0, 2, 1),
    (2, 3, 4, 4, (6, 6), 3, (1, 2), (2, 1), 1, 4),     # depthwise
    (2, 2, 3, 8, (40, 50), 3, 1, 1, 1, 1),              # several row tiles per sample
    (1, 2, 4, 6, (11,), 3, 2, 1, 2, 2),
    (3, 2, 2, 4, (5, 6, 4), 2, 1, 1, 1, 1),
    (2, 3, 4, 6, (5, 7), 1, 1, 0, 1, 2),               # pointwise (1x1): GEMMs on the input itself
    (2, 2, 3, 4, (5, 7), 1, 2, 0, 1, 1),               # 1x1 with stride: im2col path
    (3, 2, 2, 4, (3, 4, 5), 1, 1, 0, 2, 1),            # 1x1x1
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_matches_torch(case, dtype, monkeypatch):
    nd, N, C, Co, sz, k, s, p, d, g = case
    if sz == (40, 50):
        monkeypatch.setattr(_conv_tiles, "TILE_BYTES", 20_000)   # force row tiling
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C) + sz).astype(dtype)
    w = rng.standard_normal((Co, C // g) + (k,) * nd).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype)
    y = _fwd(x, w, b, s, p, d, g)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = getattr(F, f"conv{nd}d")(tx, tw, tb, s, p, d, g)
    gy = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = _bwd(gy, x, w, s, p, d, g)
    for ours, ref in ((y, ty), (gx, tx.grad), (gw, tw.grad), (gb, tb.grad)):
        assert _rel_err(ours, ref) < TOL[dtype]


TRANSPOSE_CASES = [
    # nd, N, Cin, Cout, spatial, k, stride, padding, output_padding, dilation, groups
    (2, 2, 4, 6, (5, 4), 3, 2, 1, 1, 1, 2),
    (2, 1, 2, 2, (5, 4), 3, 1, 0, 1, 2, 1),
    (1, 2, 4, 2, (6,), 2, 3, 1, 2, 1, 1),
    (3, 1, 2, 2, (3, 3, 2), 2, 2, 0, 0, 1, 2),
    (2, 2, 4, 6, (4, 5), 1, 1, 0, 0, 1, 2),            # pointwise
    (2, 1, 2, 3, (4, 5), 1, 1, 0, 1, 2, 1),            # 1x1 whose output_padding grows the output
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(case, dtype):
    nd, N, C, Co, sz, k, s, p, op, d, g = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, C) + sz).astype(dtype)
    w = rng.standard_normal((C, Co // g) + (k,) * nd).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype)
    y = conv.conv_transpose_forward(x, w, b, ntuple(s, nd), ntuple(p, nd), ntuple(op, nd), g, ntuple(d, nd))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = getattr(F, f"conv_transpose{nd}d")(tx, tw, tb, s, p, op, g, d)
    gy = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = conv.conv_transpose_backward(gy, x, w, ntuple(s, nd), ntuple(p, nd), ntuple(op, nd), g,
                                              ntuple(d, nd))
    for ours, ref in ((y, ty), (gx, tx.grad), (gw, tw.grad), (gb, tb.grad)):
        assert _rel_err(ours, ref) < TOL[dtype]


def test_parallel_kernels(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 3, 6, 7)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    y = _fwd(x, w, None, 1, (1, 0))
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw, None, 1, (1, 0))
    gy = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = _bwd(gy, x, w, 1, (1, 0))
    assert y.shape == tuple(ty.shape)
    for ours, ref in ((y, ty), (gx, tx.grad), (gw, tw.grad)):
        assert _rel_err(ours, ref) < 1e-4


@pytest.mark.parametrize("parallel", [False, True])
def test_unfold_fold_match_torch(parallel, monkeypatch):
    if parallel:   # the prange'd im2col/col2im kernels
        monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 8))
    args = ((2, 3), (2, 2), (1, 1), (2, 1))
    u = fold.unfold(x, *args)
    tu = F.unfold(torch.tensor(x), *args).numpy()
    np.testing.assert_allclose(u, tu, atol=1e-12)
    np.testing.assert_allclose(fold.fold(tu, (7, 8), *args),
                               F.fold(torch.tensor(tu), (7, 8), *args).numpy(), atol=1e-12)


def test_runs_without_jit():
    code = ("import numpy as np\nfrom numbatorch.backends.cpu import conv, fold\n"
            "x = np.random.rand(2, 4, 5, 6); w = np.random.rand(6, 2, 3, 3)\n"
            "y = conv.conv_forward(x, w, None, (2, 2), (1, 1), (1, 1), 2)\n"
            "conv.conv_backward(np.ones_like(y), x, w, (2, 2), (1, 1), (1, 1), 2)\n"
            "a = ((2, 2), (1, 1), (0, 0), (1, 1))\n"
            "fold.fold(fold.unfold(x, *a), (5, 6), *a)\n")
    root = os.path.abspath(os.path.join(os.path.dirname(conv.__file__), "..", "..", ".."))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def _check_against_torch(x, w, b, s, p, d, g, tol):
    y = _fwd(x, w, b, s, p, d, g)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = F.conv2d(tx, tw, tb, s, p, d, g)
    gy = np.random.default_rng(5).standard_normal(tuple(ty.shape)).astype(x.dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = _bwd(gy, x, w, s, p, d, g)
    for ours, ref in ((y, ty), (gx, tx.grad), (gw, tw.grad), (gb, tb.grad)):
        assert _rel_err(ours, ref) < tol


@pytest.mark.parametrize("k", [3, 1])
@pytest.mark.parametrize("tile_bytes", [2_000, 1 << 22])   # row tiles / several samples per tile
def test_threaded_tiles_match_torch(tile_bytes, k, monkeypatch):
    """Tiles spread over 3 worker threads (more than the cores) give PyTorch's results."""
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_conv_tiles, "TILE_BYTES", tile_bytes)
    monkeypatch.setattr(_conv_tiles, "worker_count", lambda: 3)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((7, 4, 30, 20))
    w = rng.standard_normal((6, 2, k, k))
    b = rng.standard_normal(6)
    stride, pad = ((1, 2), 1) if k == 3 else (1, 0)
    _check_against_torch(x, w, b, stride, pad, 1, 2, 1e-10)


def test_serial_fallback_without_threadpoolctl(monkeypatch):
    """Without a way to limit BLAS threads the convolution runs in the caller's thread."""
    from numbatorch.backends.cpu import _conv_threads
    monkeypatch.setattr(_conv_threads.blas, "controllable", lambda: False)
    assert _conv_threads.worker_count() == 1
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    _check_against_torch(x, w, b, 1, 0, 1, 1, 1e-4)


def test_run_tasks_states_and_errors():
    from numbatorch.backends.cpu._conv_threads import run_tasks
    hits = np.zeros(50, dtype=np.int64)

    def run(state, i):
        hits[i] += 1
        state.append(i)
    states = run_tasks(run, 50, list, 3)
    assert (hits == 1).all() and sorted(sum(states, [])) == list(range(50))

    def fail(state, i):
        if i == 7:
            raise ValueError("task 7")
    with pytest.raises(ValueError, match="task 7"):
        run_tasks(fail, 20, list, 3)


@pytest.mark.parametrize("count", [1, 2, 7, 16, 33])
def test_ordered_sum_bits_do_not_depend_on_finishing_order(count):
    """Every order of the tasks' adds, in threads or not, gives the same bits, close to the float64 sum."""
    from numbatorch.backends.cpu._conv_threads import OrderedSum, run_tasks
    parts = np.random.default_rng(count).standard_normal((count, 257)).astype(np.float32) * 1e3

    def total(order, n_workers=1):
        acc = OrderedSum(count)
        run_tasks(lambda state, j: acc.add(order[j], parts[order[j]].copy()), count, tuple, n_workers, False)
        return acc.total

    reference = total(np.arange(count))
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(count)
        assert total(order).tobytes() == reference.tobytes()
        assert total(order, 3).tobytes() == reference.tobytes()
    np.testing.assert_allclose(reference, parts.astype(np.float64).sum(axis=0), rtol=1e-5, atol=1e-2)


def test_threaded_conv_in_forked_child():
    """A child forked after the parent ran threaded convolutions runs them too (no hang)."""
    code = (
        "import multiprocessing as mp, numpy as np\n"
        "from numbatorch.backends.cpu import conv, _conv_threads, _conv_tiles\n"
        "_conv_tiles.worker_count = lambda: 2\n"
        "x = np.random.rand(6, 3, 40, 40); w = np.random.rand(5, 3, 3, 3)\n"
        "one = (1, 1); none = (0, 0)\n"
        "ref = conv.conv_forward(x, w, None, one, none, one, 1)\n"
        "def child(q):\n"
        "    y = conv.conv_forward(x, w, None, one, none, one, 1)\n"
        "    gx, gw, _ = conv.conv_backward(np.ones_like(y), x, w, one, none, one, 1)\n"
        "    q.put((float(abs(y - ref).max()), gw.shape))\n"
        "ctx = mp.get_context('fork'); q = ctx.Queue()\n"
        "p = ctx.Process(target=child, args=(q,)); p.start()\n"
        "err, shape = q.get(timeout=60); p.join(60)\n"
        "assert err < 1e-12 and shape == w.shape and p.exitcode == 0, (err, shape, p.exitcode)\n")
    root = os.path.abspath(os.path.join(os.path.dirname(conv.__file__), "..", "..", ".."))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("C, k", [(3, 3), (8, 3)])   # shallow (T >= K: GEMMs per sample) / deep col
def test_multi_sample_tiles_and_output_mask(C, k, dtype):
    """Tiles of several samples, shallow and deep col blocks; grads asked for one by one."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, C, 9, 7)).astype(dtype)
    w = rng.standard_normal((6, C, k, k)).astype(dtype)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw)
    assert _rel_err(_fwd(x, w), ty) < TOL[dtype]
    b = rng.standard_normal(6).astype(dtype)     # carried in the GEMM as a ones row under col
    assert _rel_err(_fwd(x, w, b), F.conv2d(tx, tw, torch.tensor(b))) < TOL[dtype]
    gy = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.tensor(gy))
    for mask in [(False, True, True), (True, False, False), (True, True, False)]:
        gx, gw, gb = _bwd(gy, x, w, output_mask=mask)
        for want, ours, ref in zip(mask, (gx, gw, gb), (tx.grad, tw.grad, torch.tensor(gy.sum((0, 2, 3))))):
            assert (ours is None) != want
            if want:
                assert _rel_err(ours, ref) < TOL[dtype]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_padded_deep_tiles_on_threads(dtype, monkeypatch):
    """Padding with several samples per task on deep col blocks (per-thread padded input and
    gradient buffers, gyr copy) and an uneven split of the forward's parallel pad."""
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_conv_tiles, "TILES_PER_WORKER", 1)
    monkeypatch.setattr(_conv_tiles, "worker_count", lambda: 3)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((7, 16, 5, 4)).astype(dtype)
    w = rng.standard_normal((8, 16, 3, 3)).astype(dtype)
    b = rng.standard_normal(8).astype(dtype)
    _check_against_torch(x, w, b, 1, (1, 2), 1, 1, TOL[dtype])


def test_row_tiles_are_even_and_cover_everything(monkeypatch):
    monkeypatch.setattr(_conv_tiles, "TILE_BYTES", 10_000)
    N, rows, R, oW = 3, 9, 66, 10     # 13 rows fit: 6 tiles of 11, not 5 of 13 and 1 of 1
    tiles = _conv_tiles.tiles(N, rows, R, oW, 8, 2)
    covered = np.zeros((N, R), dtype=np.int64)
    for n0, nb, r0, nr in tiles:
        assert nb == 1 and rows * nr * oW * 8 <= _conv_tiles.TILE_BYTES
        covered[n0:n0 + nb, r0:r0 + nr] += 1
    assert (covered == 1).all()
    sizes = {nr for _, _, r0, nr in tiles if r0 + nr < R}
    assert len(sizes) == 1 and min(nr for *_, nr in tiles) > max(sizes) // 2


@pytest.mark.parametrize("N, n_workers", [(50, 2), (256, 2), (7, 1), (1, 2)])
def test_sample_tiles_differ_by_at_most_one_sample(N, n_workers):
    """Whole-sample tiles cover every sample once, in order, and are as even as their count allows."""
    tiles = _conv_tiles.tiles(N, 320, 11, 11, 4, n_workers)
    sizes = [nb for _, nb, _, _ in tiles]
    assert [n0 for n0, *_ in tiles] == list(np.cumsum([0] + sizes[:-1]))
    assert sum(sizes) == N and max(sizes) - min(sizes) <= 1
    assert all(r0 == 0 and nr == 11 for *_, r0, nr in tiles)
