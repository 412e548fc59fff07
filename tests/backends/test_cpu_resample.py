"""numbatorch.backends.cpu.resample against torch.nn.functional.interpolate / pixel_shuffle."""
import os
import subprocess
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _parallel, resample
from numbatorch.nn.functional.vision import _interpolate_plan

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: 1e-10, np.float32: 1e-5}

MODES = [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 2), ("linear", 1),
         ("bilinear", 2), ("trilinear", 3), ("bicubic", 2), ("area", 2)]
# size, scale_factor, recompute_scale_factor
SIZES = [("up", None, None), ("down", None, None), (None, 1.7, None), (None, 0.6, None),
         (None, 2.0, None), (None, 1.7, True)]


def _close(ours, ref, tol):
    ref = ref.detach().numpy()
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < tol


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode,nd", MODES)
def test_interpolate(mode, nd, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3) + (5, 4, 6)[:nd]).astype(dtype)
    aligns = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for align in aligns:
        for size, sf, recompute in SIZES:
            if mode == "area" and sf is not None:
                continue
            size = {"up": (7,) * nd, "down": (3,) * nd, None: None}[size]
            tx = torch.tensor(x, requires_grad=True)
            ty = F.interpolate(tx, size, sf, mode, align, recompute)
            plan = _interpolate_plan(x.shape, size, sf, recompute)   # (output size, scales)
            y = resample.interpolate_forward(x, *plan, mode, bool(align))
            _close(y, ty, TOL[dtype])
            gy = rng.standard_normal(y.shape).astype(dtype)
            ty.backward(torch.tensor(gy))
            gx = resample.interpolate_backward(gy, x.shape, *plan, mode, bool(align))
            _close(gx, tx.grad, 10 * TOL[dtype])


def test_parallel_kernels(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = F.interpolate(tx, scale_factor=2.5, mode="bilinear", align_corners=False)
    gy = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ty.backward(torch.tensor(gy))
    plan = _interpolate_plan(x.shape, None, 2.5, None)
    _close(resample.interpolate_forward(x, *plan, "bilinear", False), ty, 1e-5)
    _close(resample.interpolate_backward(gy, x.shape, *plan, "bilinear", False), tx.grad, 1e-4)


def test_pixel_shuffle_roundtrip():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 8, 3, 5))
    y = resample.pixel_shuffle(x, 2)
    np.testing.assert_array_equal(y, F.pixel_shuffle(torch.tensor(x), 2).numpy())
    np.testing.assert_array_equal(resample.pixel_unshuffle(y, 2),
                                  F.pixel_unshuffle(torch.tensor(y), 2).numpy())
    np.testing.assert_array_equal(resample.pixel_unshuffle(y, 2), x)


def test_runs_without_jit():
    code = ("import numpy as np\nfrom numbatorch.backends.cpu import resample\n"
            "x = np.random.rand(2, 3, 5, 4)\n"
            "y = resample.interpolate_forward(x, (7, 6), (1.5, 1.5), 'bicubic', False)\n"
            "resample.interpolate_backward(y, x.shape, (7, 6), (1.5, 1.5), 'bicubic', False)\n")
    root = os.path.abspath(os.path.join(os.path.dirname(resample.__file__), "..", "..", ".."))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
