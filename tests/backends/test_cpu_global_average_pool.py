"""Global average pooling of large inputs (``_pool_kernels.plane_mean`` / ``plane_spread``): against PyTorch,
finite differences, a float64 reference and the window kernel small inputs keep."""
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck
from numbatorch.backends.cpu import pool


@pytest.mark.parametrize("nd, shape", [(1, (64, 40, 70)), (2, (8, 40, 21, 23)), (3, (8, 40, 7, 9, 11))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch_forward_and_backward(nd, shape, dtype):
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(nd).standard_normal(shape).astype(dtype)
    assert arr.nbytes >= pool.GLOBAL_AVERAGE_MIN_BYTES
    seed = np.random.default_rng(9).standard_normal(shape[:2] + (1,) * nd).astype(dtype)
    seed[0, 0] = -0.0
    ours_x, theirs_x = nt.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    ours = getattr(F, f"adaptive_avg_pool{nd}d")(ours_x, 1)
    theirs = getattr(torch.nn.functional, f"adaptive_avg_pool{nd}d")(theirs_x, 1)
    ours.backward(nt.tensor(seed))
    theirs.backward(torch.tensor(seed))
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(ours_x.grad.numpy(), theirs_x.grad.numpy())  # -0.0 spread as -0.0 included
    assert np.signbit(ours_x.grad.numpy()[0, 0]).all()


def test_means_are_float64_sums_rounded_once():
    arr = (np.random.default_rng(3).standard_normal((16, 32, 33, 31)) * 10).astype(np.float32)
    ours = pool.adaptive_avg_pool_forward(arr, (1, 1), 2).reshape(-1)
    exact = arr.astype(np.longdouble).reshape(512, -1).sum(axis=1) / (33 * 31)
    assert (np.abs(ours - exact) <= np.spacing(np.abs(exact).astype(np.float32))).all()


def test_gradcheck_and_small_inputs_keep_the_window_kernel(monkeypatch):
    x = nt.tensor(np.random.default_rng(4).standard_normal((2, 3, 4, 5)), requires_grad=True)
    small = F.adaptive_avg_pool2d(x, 1).detach().numpy()
    arr = x.detach().numpy()
    acc = np.zeros((2, 3))
    for i in range(4):
        for j in range(5):
            acc += arr[:, :, i, j]
    np.testing.assert_array_equal(small.reshape(2, 3), acc / 20)  # window_avg's one running sum, bit for bit
    monkeypatch.setattr(pool, "GLOBAL_AVERAGE_MIN_BYTES", 0)
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (1, 1)), (x,))
    assert gradcheck(lambda t: F.adaptive_avg_pool3d(t.unsqueeze(2), 1), (x,))
