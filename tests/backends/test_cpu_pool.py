"""numbatorch.backends.cpu.pool against torch.nn.functional (outputs, indices, input grads)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _parallel, pool

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _close(ours, ref, tol):
    ref = ref.detach().numpy()
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < tol


def _ktuple(k, nd):
    return (k,) * nd if isinstance(k, int) else k


MAX_CASES = [
    # nd, spatial, kernel, stride, padding, dilation, ceil_mode
    (2, (7, 9), 3, 2, 1, 1, True),
    (2, (8, 5), (2, 3), None, 0, 2, False),
    (2, (6, 6), 3, 2, 1, 1, False),
    (1, (10,), 3, 2, 1, 2, True),
    (3, (5, 6, 4), 2, 1, 1, 1, False),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool(case, dtype):
    nd, sz, k, s, p, d, cm = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3) + sz).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = getattr(F, f"max_pool{nd}d")(tx, k, s, p, d, cm, return_indices=True)
    y, idx = pool.max_pool_forward(x, _ktuple(k, nd), s, p, d, cm)
    _close(y, ty, TOL[dtype])
    assert idx.dtype == np.int32 and (idx == ti.numpy()).all()   # int32 where a plane's offsets fit
    gy = rng.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    _close(pool.max_pool_backward(gy, x.shape, idx), tx.grad, TOL[dtype])
    # PyTorch's int64 indices (a user's, through max_unpool's double backward) give the same gradient
    np.testing.assert_array_equal(pool.max_pool_backward(gy, x.shape, idx.astype(np.int64)),
                                  pool.max_pool_backward(gy, x.shape, idx))
    if nd == 2 and d == 1:
        out_size = x.shape[2:]
        u = pool.max_unpool_forward(y, idx, out_size)
        tu = F.max_unpool2d(ty.detach(), ti, k, s, p, output_size=out_size)
        _close(u, tu, TOL[dtype])
        _close(pool.max_unpool_backward(tu.numpy(), idx), tu.view(2, 3, -1).gather(2, ti.view(2, 3, -1))
               .view(ti.shape), TOL[dtype])


def test_index_dtype_widens_past_int32():
    assert pool.index_dtype(2 ** 31 - 1) == np.int32 and pool.index_dtype(2 ** 31) == np.int64


AVG_CASES = [
    (2, (7, 9), 3, 2, 1, True),
    (2, (6, 5), (2, 3), None, (1, 0), False),
    (1, (10,), 3, 2, 1, True),
    (3, (5, 6, 4), 2, 1, 1, False),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", AVG_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool(case, dtype, count_include_pad):
    nd, sz, k, s, p, cm = case
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3) + sz).astype(dtype)
    for div in ([None] if nd == 1 else [None, 5]):
        tx = torch.tensor(x, requires_grad=True)
        extra = [div] if nd > 1 else []
        ty = getattr(F, f"avg_pool{nd}d")(tx, k, s, p, cm, count_include_pad, *extra)
        y = pool.avg_pool_forward(x, _ktuple(k, nd), s, p, cm, count_include_pad, div)
        _close(y, ty, TOL[dtype])
        gy = rng.standard_normal(y.shape).astype(dtype)
        ty.backward(torch.tensor(gy))
        gx = pool.avg_pool_backward(gy, x.shape, _ktuple(k, nd), s, p, cm, count_include_pad, div)
        _close(gx, tx.grad, TOL[dtype])


ADAPTIVE_CASES = [
    (2, (7, 9), (3, 4)),
    (2, (5, 5), (7, 2)),        # upsampling bins overlap
    (2, (6, 6), (6, None)),
    (1, (10,), (4,)),
    (3, (5, 6, 4), (2, 3, 3)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", ADAPTIVE_CASES)
def test_adaptive_pools(case, dtype):
    nd, sz, o = case
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3) + sz).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = getattr(F, f"adaptive_avg_pool{nd}d")(tx, o)
    y = pool.adaptive_avg_pool_forward(x, o)
    _close(y, ty, TOL[dtype])
    gy = rng.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    _close(pool.adaptive_avg_pool_backward(gy, x.shape), tx.grad, TOL[dtype])

    tx = torch.tensor(x, requires_grad=True)
    ty, ti = getattr(F, f"adaptive_max_pool{nd}d")(tx, o, return_indices=True)
    y, idx = pool.adaptive_max_pool_forward(x, o)
    _close(y, ty, TOL[dtype])
    assert (idx == ti.numpy()).all()
    ty.backward(torch.tensor(gy))
    _close(pool.adaptive_max_pool_backward(gy, x.shape, idx), tx.grad, TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", [(2, (9, 11), (2, 3), (5, 4)), (3, (7, 6, 8), 2, (3, 4, 5))])
def test_fractional_max_pool(case, dtype):
    nd, sz, k, o = case
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3) + sz).astype(dtype)
    samples = rng.random((2, 3, nd)).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = getattr(F, f"fractional_max_pool{nd}d")(tx, k, output_size=o, return_indices=True,
                                                    _random_samples=torch.tensor(samples))
    y, idx = pool.fractional_max_pool_forward(x, k, o, samples)
    _close(y, ty, TOL[dtype])
    assert (idx == ti.numpy()).all()
    gy = rng.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    _close(pool.fractional_max_pool_backward(gy, x.shape, idx), tx.grad, TOL[dtype])


def test_parallel_kernels_and_nan(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 6, 7)).astype(np.float32)
    x[0, 1, 2, 3] = np.nan
    tx = torch.tensor(x)
    ty, ti = F.max_pool2d(tx, 3, 2, 1, return_indices=True)
    y, idx = pool.max_pool_forward(x, (3, 3), 2, 1)
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rng.standard_normal(y.shape).astype(np.float32)
    ty2 = torch.tensor(x, requires_grad=True)
    F.max_pool2d(ty2, 3, 2, 1).backward(torch.tensor(gy))
    np.testing.assert_allclose(pool.max_pool_backward(gy, x.shape, idx), ty2.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(pool.avg_pool_forward(x, (2, 2)), F.avg_pool2d(tx, 2).numpy(), atol=1e-6)
    np.testing.assert_allclose(pool.adaptive_avg_pool_forward(x, (4, 3)),
                               F.adaptive_avg_pool2d(tx, (4, 3)).numpy(), atol=1e-6)


def _nan_ties_input(shape, dtype, rng):
    """Random data with repeated values (ties) and NaNs, several of them in some windows."""
    x = rng.integers(-2, 3, size=shape).astype(dtype)
    x[rng.random(shape) < 0.15] = np.nan
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("sz, ceil_mode", [((8, 6), False), ((7, 9), False), ((7, 9), True)])
def test_max_pool_2x2_fast_path(monkeypatch, dtype, parallel, sz, ceil_mode):
    # 2x2/stride 2 takes the select-tree kernel (a partial ceil_mode window the general one):
    # values, indices (ties: first max; NaNs: the last NaN wins) and grads as in PyTorch
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0 if parallel else 1 << 40)
    rng = np.random.default_rng(5)
    x = _nan_ties_input((2, 3) + sz, dtype, rng)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = F.max_pool2d(tx, 2, 2, ceil_mode=ceil_mode, return_indices=True)
    y, idx = pool.max_pool_forward(x, (2, 2), 2, 0, 1, ceil_mode)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rng.standard_normal(y.shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(pool.max_pool_backward(gy, x.shape, idx), tx.grad.numpy(), atol=1e-6)



@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("nd, sz", [(1, (9,)), (2, (5, 5)), (3, (2, 3, 4))])
def test_global_adaptive_max_pool(monkeypatch, parallel, nd, sz):
    # output size 1 in every dim takes the flat whole-plane scan: ties (first max), NaNs (the last one) and grads
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0 if parallel else 1 << 40)
    monkeypatch.setattr(pool, "GLOBAL_MAX_MIN_ELEMENTS", 0 if parallel else 1 << 40)
    rng = np.random.default_rng(7)
    x = _nan_ties_input((3, 4) + sz, np.float32, rng)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = getattr(F, f"adaptive_max_pool{nd}d")(tx, 1, return_indices=True)
    y, idx = pool.adaptive_max_pool_forward(x, (1,) * nd)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(gy))
    np.testing.assert_array_equal(pool.adaptive_max_pool_backward(gy, x.shape, idx), tx.grad.numpy())

def test_max_pool_nan_scan_order():
    # general, 3-d (kernel 1x2x2: not the 2-d fast path) and adaptive kernels agree with PyTorch on NaNs
    rng = np.random.default_rng(6)
    x = _nan_ties_input((2, 3, 3, 6, 7), np.float32, rng)
    tx = torch.tensor(x)
    for ours, ref in [
        (pool.max_pool_forward(x[:, :, 0], (3, 3), 2, 1), F.max_pool2d(tx[:, :, 0], 3, 2, 1, return_indices=True)),
        (pool.max_pool_forward(x, (1, 2, 2)), F.max_pool3d(tx, (1, 2, 2), return_indices=True)),
        (pool.adaptive_max_pool_forward(x[:, :, 0], (2, 3)),
         F.adaptive_max_pool2d(tx[:, :, 0], (2, 3), return_indices=True)),
    ]:
        np.testing.assert_array_equal(ours[0], ref[0].numpy())
        np.testing.assert_array_equal(ours[1], ref[1].numpy())


def test_runs_without_jit():
    code = ("import numpy as np\nfrom numbatorch.backends.cpu import pool\n"
            "x = np.random.rand(2, 3, 6, 5)\n"
            "y, i = pool.max_pool_forward(x, (2, 2)); pool.max_pool_backward(y, x.shape, i)\n"
            "pool.avg_pool_backward(pool.avg_pool_forward(x, (3, 2), 1, 1), x.shape, (3, 2), 1, 1)\n"
            "pool.adaptive_avg_pool_backward(pool.adaptive_avg_pool_forward(x, 4), x.shape)\n")
    root = os.path.abspath(os.path.join(os.path.dirname(pool.__file__), "..", "..", ".."))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
