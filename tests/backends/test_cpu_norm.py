"""numbatorch.backends.cpu.norm against torch.nn.functional (outputs, running stats, grads)."""
import os
import subprocess
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _parallel, norm

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: 1e-9, np.float32: 2e-4}


def _close(ours, ref, tol):
    ref = ref.detach().numpy()
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < tol


def _params(rng, shape, dtype, affine):
    if not affine:
        return None, None, None, None
    w = rng.standard_normal(shape).astype(dtype)
    b = rng.standard_normal(shape).astype(dtype)
    return w, b, torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (5, 3), (2, 4, 7)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(shape, dtype, affine, training):
    rng = np.random.default_rng(0)
    C = shape[1]
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    w, b, tw, tb = _params(rng, C, dtype, affine)
    rm = rng.standard_normal(C).astype(dtype)
    rv = (rng.random(C) + 0.5).astype(dtype)
    tx, trm, trv = torch.tensor(x, requires_grad=True), torch.tensor(rm), torch.tensor(rv)
    ty = F.batch_norm(tx, trm, trv, tw, tb, training, 0.1, 1e-5)
    y, mean, invstd = norm.batch_norm_forward(x, w, b, rm, rv, training, 1e-5)
    _close(y, ty, TOL[dtype])
    if training:
        unbiased = norm.batch_norm_unbiased_var(invstd, 1e-5, x.size // C)
        np.testing.assert_allclose(0.9 * rm + 0.1 * mean, trm.numpy(), atol=1e-5)
        np.testing.assert_allclose(0.9 * rv + 0.1 * unbiased, trv.numpy(), atol=1e-4)
    gy = rng.standard_normal(shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = norm.batch_norm_backward(gy, x, w, mean, invstd, training)
    _close(gx, tx.grad, 10 * TOL[dtype])
    if affine:
        _close(gw, tw.grad, 10 * TOL[dtype])
        _close(gb, tb.grad, 10 * TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,normalized", [((3, 4, 5), (5,)), ((2, 3, 4, 5), (4, 5))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(shape, normalized, dtype, affine):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    w, b, tw, tb = _params(rng, normalized, dtype, affine)
    tx = torch.tensor(x, requires_grad=True)
    ty = F.layer_norm(tx, normalized, tw, tb, 1e-5)
    y, mean, rstd = norm.layer_norm_forward(x, normalized, w, b, 1e-5)
    _close(y, ty, TOL[dtype])
    gy = rng.standard_normal(shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = norm.layer_norm_backward(gy, x, normalized, mean, rstd, w)
    _close(gx, tx.grad, 10 * TOL[dtype])
    if affine:
        _close(gw, tw.grad, 10 * TOL[dtype])
        _close(gb, tb.grad, 10 * TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,groups", [((3, 6, 5), 3), ((2, 4, 3, 3), 2), ((2, 4), 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm(shape, groups, dtype, affine):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(dtype)
    w, b, tw, tb = _params(rng, shape[1], dtype, affine)
    tx = torch.tensor(x, requires_grad=True)
    ty = F.group_norm(tx, groups, tw, tb, 1e-5)
    y, mean, rstd = norm.group_norm_forward(x, groups, w, b, 1e-5)
    _close(y, ty, TOL[dtype])
    gy = rng.standard_normal(shape).astype(dtype)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = norm.group_norm_backward(gy, x, groups, mean, rstd, w)
    _close(gx, tx.grad, 10 * TOL[dtype])
    if affine:
        _close(gw, tw.grad, 10 * TOL[dtype])
        _close(gb, tb.grad, 10 * TOL[dtype])


def test_parallel_kernels(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6, 5)).astype(np.float32)
    w = rng.standard_normal(6).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = F.batch_norm(tx, None, None, torch.tensor(w), None, True)
    gy = rng.standard_normal(x.shape).astype(np.float32)
    ty.backward(torch.tensor(gy))
    y, mean, invstd = norm.batch_norm_forward(x, w, None)
    _close(y, ty, 2e-4)
    _close(norm.batch_norm_backward(gy, x, w, mean, invstd)[0], tx.grad, 2e-3)
    y, mean, rstd = norm.group_norm_forward(x, 3, w)
    _close(y, F.group_norm(torch.tensor(x), 3, torch.tensor(w)), 2e-4)
    tx = torch.tensor(x, requires_grad=True)
    F.group_norm(tx, 3, torch.tensor(w)).backward(torch.tensor(gy))
    _close(norm.group_norm_backward(gy, x, 3, mean, rstd, w)[0], tx.grad, 2e-3)


def test_runs_without_jit():
    code = ("import numpy as np\nfrom numbatorch.backends.cpu import norm\n"
            "x = np.random.rand(3, 4, 5)\n"
            "y, m, s = norm.batch_norm_forward(x); norm.batch_norm_backward(y, x, None, m, s)\n"
            "y, m, s = norm.layer_norm_forward(x, (5,)); norm.layer_norm_backward(y, x, (5,), m, s)\n"
            "y, m, s = norm.group_norm_forward(x, 2); norm.group_norm_backward(y, x, 2, m, s)\n")
    root = os.path.abspath(os.path.join(os.path.dirname(norm.__file__), "..", "..", ".."))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
