"""Layer norm of large arrays (``_layer_norm_kernels``): against PyTorch with copied weights, finite differences,
the row kernels small arrays keep, and thread-count independence."""
import numba
import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck
from numbatorch.backends.cpu import _layer_norm_kernels, norm

AFFINE = [(True, True), (True, False), (False, True), (False, False)]


@pytest.fixture
def kernel_calls(monkeypatch):
    """How many times each of the module's kernels was chosen."""
    calls = {"forward": 0, "backward": 0}
    choose = norm.choose

    def spy(twin, work, minimum=None):
        for name in calls:
            calls[name] += twin is getattr(_layer_norm_kernels, name)
        return choose(twin, work, minimum)
    monkeypatch.setattr(norm, "choose", spy)
    return calls


def _inputs(dtype, shape=(180, 4, 96), seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    return x, rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape[-2:]).astype(dtype), \
        rng.standard_normal(shape[-2:]).astype(dtype)


@pytest.mark.parametrize("with_weight, with_bias", AFFINE)
@pytest.mark.parametrize("dtype, tol", [(np.float32, 2e-5), (np.float64, 1e-12)])
def test_matches_torch_with_copied_weights(with_weight, with_bias, dtype, tol, kernel_calls):
    torch = pytest.importorskip("torch")
    x, seed, w, b = _inputs(dtype, shape=(360, 4, 96) if dtype == np.float32 else (180, 4, 96))
    assert x.nbytes >= norm.LAYER_NORM_MIN_BYTES
    shape = (4, 96)
    ours_in = [nt.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ours = F.layer_norm(ours_in[0], shape, ours_in[1] if with_weight else None, ours_in[2] if with_bias else None)
    theirs = torch.nn.functional.layer_norm(theirs_in[0], shape, theirs_in[1] if with_weight else None,
                                            theirs_in[2] if with_bias else None)
    ours.backward(nt.tensor(seed))
    theirs.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(ours_in[0].grad.numpy(), theirs_in[0].grad.numpy(), rtol=tol, atol=tol)
    for used, a, t in ((with_weight, ours_in[1], theirs_in[1]), (with_bias, ours_in[2], theirs_in[2])):
        if used:  # sums over 360 rows: PyTorch's float32 sums round more than these float64 ones
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 30)
        else:
            assert a.grad is None
    assert kernel_calls == {"forward": 1, "backward": 1}


@pytest.mark.parametrize("with_weight, with_bias", AFFINE)
def test_gradcheck(with_weight, with_bias, monkeypatch):
    monkeypatch.setattr(norm, "LAYER_NORM_MIN_BYTES", 0)
    x, _, w, b = _inputs(np.float64, shape=(3, 2, 11), seed=1)
    inputs = [nt.tensor(x, requires_grad=True)]
    if with_weight:
        inputs.append(nt.tensor(w, requires_grad=True))
    if with_bias:
        inputs.append(nt.tensor(b, requires_grad=True))

    def layer_norm(x, *params):
        params = list(params)
        weight = params.pop(0) if with_weight else None
        bias = params.pop(0) if with_bias else None
        return F.layer_norm(x, (2, 11), weight, bias)
    assert gradcheck(layer_norm, tuple(inputs))


def test_close_to_the_row_kernels_small_arrays_keep():
    x, seed, w, b = _inputs(np.float64, seed=2)
    ours = norm.layer_norm_forward(x, (96,), w[0], b[0])
    grads = norm.layer_norm_backward(seed, x, (96,), ours[1], ours[2], w[0])
    rows = norm._rows(x, 1, 96, 1, w[0], b[0], 1e-5)
    np.testing.assert_allclose(ours[0].reshape(-1, 96), rows[0], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(ours[1].reshape(-1), rows[1], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ours[2].reshape(-1), rows[2], rtol=1e-13)
    gx, g2, x2 = norm._rows_backward(seed, x, rows[1], rows[2], w[0], 1, 96, 1)
    np.testing.assert_allclose(grads[0].reshape(-1, 96), gx, rtol=1e-11, atol=1e-12)
    xhat = (x2 - rows[1][:, None]) * rows[2][:, None]
    np.testing.assert_allclose(grads[1], (g2 * xhat).sum(axis=0), rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(grads[2], g2.sum(axis=0), rtol=1e-11, atol=1e-11)


def test_same_bits_at_any_thread_count():
    x, seed, w, b = _inputs(np.float32, shape=(600, 256), seed=3)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in sorted({1, before}):
            numba.set_num_threads(threads)
            y, mean, rstd = norm.layer_norm_forward(x, (256,), w[0], b[0])
            results.append((y, mean, rstd) + norm.layer_norm_backward(seed, x, (256,), mean, rstd, w[0]))
    finally:
        numba.set_num_threads(before)
    for first, last in zip(results[0], results[-1]):
        np.testing.assert_array_equal(first, last)


def test_constant_rows_and_non_finite_values_as_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((2048, 70)).astype(np.float32)
    x[0] = 5.0  # zero variance: (x - mean) = 0, rstd = 1 / sqrt(eps)
    x[1, 3] = np.inf
    x[2, 7] = np.nan
    ours = F.layer_norm(nt.tensor(x), (70,)).numpy()
    theirs = torch.nn.functional.layer_norm(torch.tensor(x), (70,)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5, equal_nan=True)
