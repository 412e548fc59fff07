"""softmax / log_softmax of large arrays on the vectorised exp (``_softmax_vector``): against PyTorch, the libm
block kernels and finite differences, special values, and thread-count independence."""
import numba
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck
from numbatorch.backends.cpu import softmax

OPS = ("softmax", "log_softmax")


@pytest.fixture
def vector_everywhere(monkeypatch):
    """Every float32/float64 softmax takes the vector kernels, however small."""
    monkeypatch.setattr(softmax, "VECTOR_MIN_BYTES", 0)


@pytest.fixture
def vector_calls(monkeypatch):
    """The kernels ``softmax._vector_run`` was asked to run, by name."""
    calls = []
    run = softmax._vector_run

    def spy(rows_kernel, columns_kernel, blocks, *arrays):
        calls.append(rows_kernel.serial.py_func.__name__ if blocks[0].shape[2] == 1
                     else columns_kernel.serial.py_func.__name__)
        return run(rows_kernel, columns_kernel, blocks, *arrays)
    monkeypatch.setattr(softmax, "_vector_run", spy)
    return calls


def _large(dtype, shape=(8, 24, 40, 37)):  # 284,160 elements: over the threshold in either dtype
    return (np.random.default_rng(3).standard_normal(shape) * 30).astype(dtype)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-6), (np.float64, 1e-13)])
def test_large_arrays_match_torch_forward_and_backward(op, dtype, rtol, vector_calls):
    """PyTorch's float32 log_softmax rounds log(sum) near 1 to float32's spacing there (1.2e-7 absolute); ours
    sums and takes the log in float64, so the absolute tolerance is a few of those spacings."""
    torch = pytest.importorskip("torch")
    arr = _large(dtype)
    seed = np.random.default_rng(4).standard_normal(arr.shape).astype(dtype)
    for dim in (0, 1, 2, 3, -1):
        x = nt.tensor(arr, requires_grad=True)
        y = getattr(nt, op)(x, dim)
        y.backward(nt.tensor(seed))
        tx = torch.tensor(arr, requires_grad=True)
        ty = getattr(torch, op)(tx, dim)
        ty.backward(torch.tensor(seed))
        assert y.dtype == x.dtype
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=rtol / 5)
        scale = np.abs(tx.grad.numpy()).max()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol * 10, atol=rtol * scale)
    assert vector_calls.count("softmax_rows") == 2 and vector_calls.count("softmax_backward_rows") == 2
    assert vector_calls.count("softmax_columns") == 3 and vector_calls.count("softmax_backward_columns") == 3


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype, ulps", [(np.float32, 3), (np.float64, 8)])
def test_accuracy_against_extended_precision(op, dtype, ulps):
    """softmax within a few ulp of a long-double reference down to subnormal outputs (the libm kernels, rounding
    ``x - max`` in float64, were 130 ulp off in float64); log_softmax within a few ulp of max(1, |value|)."""
    if dtype == np.float64 and np.finfo(np.longdouble).nmant < 60:
        pytest.skip("long double is float64 here: no reference")
    arr = _large(dtype)
    log = op == "log_softmax"
    for dim in (3, 1):
        ours = softmax.softmax_forward(arr, dim, log)
        wide = arr.astype(np.longdouble)
        shifted = wide - wide.max(axis=dim, keepdims=True)
        total = np.exp(shifted).sum(axis=dim, keepdims=True)
        reference = shifted - np.log(total) if log else np.exp(shifted) / total
        scale = np.maximum(np.abs(reference), 1) if log else np.abs(reference)
        spacing = np.maximum(np.spacing(scale.astype(dtype)), np.finfo(dtype).smallest_subnormal)
        assert (np.abs(ours - reference) <= ulps * spacing.astype(np.longdouble)).all()


@pytest.mark.parametrize("op", OPS)
def test_special_values_as_torch(op, vector_everywhere):
    torch = pytest.importorskip("torch")
    inf, nan = np.inf, np.nan
    rows = [[-inf, 0.], [nan, 1.], [1., nan], [-inf, -inf], [inf, 1.], [inf, inf], [-0., 0.], [1e30, -1e30]]
    width = 11  # one row of eight lanes and a tail
    arr = np.array([row * 6 for row in rows])[:, :width]
    for dtype in (np.float32, np.float64):
        for values, dim in ((arr, 1), (np.ascontiguousarray(arr.T), 0)):  # rows, then columns
            ours = getattr(nt, op)(nt.tensor(values.astype(dtype)), dim).numpy()
            theirs = getattr(torch, op)(torch.tensor(values.astype(dtype)), dim).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("shape, dim", [((3, 5), 1), ((2, 19), -1), ((4, 3, 6), 1), ((7, 4), 0), ((2, 1), 1)])
def test_gradcheck(op, shape, dim, vector_everywhere):
    x = nt.tensor(np.random.default_rng(5).standard_normal(shape) * 3, requires_grad=True)
    assert gradcheck(lambda t: getattr(nt, op)(t, dim), (x,))


@pytest.mark.parametrize("op", OPS)
def test_same_bits_at_any_thread_count(op):
    arr = _large(np.float32)
    before = numba.get_num_threads()
    try:
        results = []
        for threads in sorted({1, before}):
            numba.set_num_threads(threads)
            y = softmax.softmax_forward(arr, 3, op == "log_softmax")
            results.append((y, softmax.softmax_forward(arr, 0, op == "log_softmax"),
                            softmax.softmax_backward(arr, y, 3, op == "log_softmax")))
    finally:
        numba.set_num_threads(before)
    for first, second in zip(results[0], results[-1]):
        np.testing.assert_array_equal(first, second)
