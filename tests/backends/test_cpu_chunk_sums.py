"""Whole-array sums, means and 2-norms of large arrays (``_chunk_sums``): against PyTorch, a float64 reference, the
numpy path small arrays keep, special values, and thread-count independence."""
import numba
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _chunk_sums


def _large(dtype, seed=0):
    return (np.random.default_rng(seed).standard_normal((64, 33, 70)) * 3).astype(dtype)  # 578 KiB as float32


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-14)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_forward_and_backward_match_torch(dtype, rtol, keepdim):
    torch = pytest.importorskip("torch")
    arr = _large(dtype)
    assert _chunk_sums.applies(arr)
    ours_x, theirs_x = nt.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    ours = nt.linalg.vector_norm(ours_x, keepdim=keepdim) if keepdim else ours_x.norm()
    theirs = torch.linalg.vector_norm(theirs_x, keepdim=keepdim) if keepdim else theirs_x.norm()
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == ours_x.dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol)
    (ours * 3).sum().backward()
    (theirs * 3).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=rtol * 4, atol=rtol * 1e-3)


def test_float32_norm_rounds_the_float64_sum_and_small_arrays_keep_numpy():
    arr = _large(np.float32, seed=1)
    assert nt.tensor(arr).norm().item() == np.float32(np.sqrt(np.sum(arr.astype(np.float64) ** 2)))
    small = arr[:10]
    assert nt.tensor(small).norm().item() == np.sqrt(np.sum(np.abs(small) * np.abs(small)))


def test_zero_array_has_zero_gradient_and_special_values_as_torch():
    torch = pytest.importorskip("torch")
    zeros = nt.zeros(300, 500, requires_grad=True)
    zeros.norm().backward()
    assert not zeros.grad.numpy().any()
    for value in (np.inf, np.nan, 1e20, 3e19):
        arr = _large(np.float32, seed=2)
        arr[5, 6, 7] = value
        ours = nt.tensor(arr).norm().item()
        theirs = torch.tensor(arr).norm().item()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)


def test_same_bits_at_any_thread_count():
    arr = _large(np.float32, seed=3)
    before = numba.get_num_threads()
    values = []
    try:
        for threads in sorted({1, before}):
            numba.set_num_threads(threads)
            values.append((nt.tensor(arr).norm().item(), nt.tensor(arr).sum().item()))
    finally:
        numba.set_num_threads(before)
    assert values[0] == values[-1]


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-14)])
def test_sum_and_mean_match_torch_and_round_the_float64_sum(op, dtype, rtol):
    torch = pytest.importorskip("torch")
    arr = _large(dtype, seed=4)
    ours_x, theirs_x = nt.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    ours, theirs = getattr(ours_x, op)(), getattr(theirs_x, op)()
    assert ours.shape == () and ours.dtype == ours_x.dtype
    exact = np.sum(arr.astype(np.longdouble)) / (arr.size if op == "mean" else 1)
    assert abs(ours.item() - exact) <= np.spacing(dtype(abs(exact))) * (1 if dtype == np.float32 else 4)
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=rtol * 10)
    ours.backward()
    theirs.backward()
    np.testing.assert_array_equal(ours_x.grad.numpy(), theirs_x.grad.numpy())


def test_sums_beyond_float32_range_are_infinite_and_small_arrays_keep_numpy():
    arr = np.full((300, 500), 3e35, np.float32)
    assert nt.tensor(arr).sum().item() == np.inf
    assert nt.tensor(-arr).sum().item() == -np.inf
    arr[7, 7] = np.nan
    assert np.isnan(nt.tensor(arr).sum().item())
    small = _large(np.float32, seed=5)[:4]
    assert not _chunk_sums.applies(small)
    assert nt.tensor(small).sum().item() == np.add.reduce(small, axis=None)
