"""softmax / log_softmax against PyTorch and finite differences."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck
from tests.helpers import compare_with_torch

X = np.random.default_rng(0).standard_normal((2, 3, 4))


CASES = [(op, dim) for op in ("softmax", "log_softmax") for dim in (0, 1, 2, -1, -2)]


@pytest.mark.parametrize("op, dim", CASES)
def test_matches_torch_float64(op, dim):
    compare_with_torch(lambda m, x: getattr(m, op)(x, dim), X, tol=1e-12)


@pytest.mark.parametrize("op, dim", CASES)
def test_method_matches_torch_float32(op, dim):
    compare_with_torch(lambda m, x: getattr(x, op)(dim), X.astype(np.float32), tol=1e-6)


@pytest.mark.parametrize("op, dim", CASES)
def test_gradcheck(op, dim):
    assert gradcheck(lambda x: getattr(nt, op)(x, dim), (nt.tensor(X.copy(), requires_grad=True),))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_large_inputs_stable_and_parallel(op):
    torch = pytest.importorskip("torch")
    arr = (np.random.default_rng(2).standard_normal((64, 1024)) * 200).astype(np.float32)  # exp would overflow
    for dim in (1, 0):
        ours = getattr(nt, op)(nt.tensor(arr), dim).numpy()
        assert np.isfinite(ours).all()
        np.testing.assert_allclose(ours, getattr(torch, op)(torch.tensor(arr), dim).numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_inf_nan_and_edge_shapes(op):
    torch = pytest.importorskip("torch")
    inf = np.inf
    for arr, dim in ((np.array([[-inf, 0.], [np.nan, 1.], [-inf, -inf], [inf, 1.]]), 1), (np.array(2.), 0),
                     (np.zeros((0, 3)), 1), (np.zeros((2, 0)), 1)):
        ours = getattr(nt, op)(nt.tensor(arr), dim)
        theirs = getattr(torch, op)(torch.tensor(arr), dim)
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), equal_nan=True)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_dtype_argument_and_integer_error(op):
    torch = pytest.importorskip("torch")
    ints = np.array([[1, 2, 3]])
    ours = getattr(nt, op)(nt.tensor(ints), 1, dtype=nt.float64)
    theirs = getattr(torch, op)(torch.tensor(ints), 1, dtype=torch.float64)
    assert ours.dtype is nt.float64
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    half = getattr(nt, op)(nt.tensor(X, dtype=nt.float16), 1)
    assert half.dtype is nt.float16
    with pytest.raises(NotImplementedError) as theirs_err:
        getattr(torch, op)(torch.tensor(ints), 1)
    with pytest.raises(NotImplementedError) as ours_err:
        getattr(nt, op)(nt.tensor(ints), 1)
    assert str(ours_err.value) == str(theirs_err.value)


def test_dim_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        nt.softmax(nt.tensor(X), 3)


def test_gradient_of_total_probability_is_zero():
    x = nt.tensor(X, requires_grad=True)
    y = x.softmax(1)
    y.backward(nt.tensor(np.ones_like(X)))
    np.testing.assert_allclose(x.grad.numpy(), 0, atol=1e-12)  # softmax sums to 1 along dim
