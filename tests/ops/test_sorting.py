"""Sorting and searching ops against PyTorch (values, indices, gradients) and finite differences."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck
from tests.helpers import compare_with_torch


X = np.random.default_rng(0).standard_normal((3, 4, 5))  # distinct values

DIFFERENTIABLE = {
    "sort": lambda m, x: x.sort(),
    "sort_dim0": lambda m, x: m.sort(x, 0),
    "sort_descending": lambda m, x: x.sort(1, descending=True),
    "sort_stable_kw": lambda m, x: m.sort(x, stable=True, dim=-2),
    "msort": lambda m, x: m.msort(x),
    "topk": lambda m, x: x.topk(2),
    "topk_smallest_dim": lambda m, x: m.topk(x, 3, dim=1, largest=False),
    "topk_dim0": lambda m, x: x.topk(1, 0),
    "kthvalue": lambda m, x: x.kthvalue(2),
    "kthvalue_dim_keepdim": lambda m, x: m.kthvalue(x, 3, 1, keepdim=True),
    "kthvalue_neg_dim": lambda m, x: x.kthvalue(1, -3),
}


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_matches_torch(name):
    compare_with_torch(DIFFERENTIABLE[name], X)
    compare_with_torch(DIFFERENTIABLE[name], X.astype(np.float32), tol=1e-6)


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_gradcheck(name):
    fn = DIFFERENTIABLE[name]
    assert gradcheck(lambda x: fn(nt, x), (nt.tensor(X.copy(), requires_grad=True),))


TIES = np.array([[2., 1., 2., 0., 1.], [3., 3., 3., 3., 3.], [np.nan, 1., np.inf, -np.inf, np.nan]])


@pytest.mark.parametrize("fn", [
    lambda m, x: x.sort(dim=1, stable=True), lambda m, x: x.sort(dim=1, descending=True, stable=True),
    lambda m, x: m.sort(x, dim=0, stable=True), lambda m, x: x.argsort(dim=1, stable=True),
    lambda m, x: m.argsort(x, dim=1, descending=True, stable=True),
])
def test_stable_sort_with_ties_and_nan(fn):
    compare_with_torch(fn, TIES)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8", "bool", "float16"])
def test_sort_dtypes(dtype):
    arr = np.array([[3, 1, 0, 2], [1, 1, 0, 0]]).astype(dtype)
    compare_with_torch(lambda m, x: x.sort(dim=1, stable=True), arr)
    compare_with_torch(lambda m, x: x.sort(dim=1, descending=True, stable=True), arr)
    if dtype != "bool":
        compare_with_torch(lambda m, x: x.topk(1, largest=False).values, arr)
        compare_with_torch(lambda m, x: x.kthvalue(3, 1).values, arr)


def test_zero_dim():
    a = np.array(2.5)
    for fn in (lambda m, x: x.sort(), lambda m, x: x.topk(1), lambda m, x: x.kthvalue(1), lambda m, x: x.argsort()):
        compare_with_torch(fn, a)


@pytest.mark.parametrize("fn, message", [
    (lambda x: x.topk(5), "selected index k out of range"),
    (lambda x: x.topk(-1), "selected index k out of range"),
    (lambda x: x.kthvalue(0), "kthvalue(): selected number k out of range for dimension 1"),
    (lambda x: x.kthvalue(5, 1), "kthvalue(): selected number k out of range for dimension 1"),
    (lambda x: x.bool().topk(1), "topk does not support bool dtypes on CPU"),
])
def test_errors_match_torch(fn, message):
    torch = pytest.importorskip("torch")
    arr = np.ones((2, 4))
    with pytest.raises(RuntimeError, match=None) as theirs:
        fn(torch.tensor(arr))
    with pytest.raises(RuntimeError) as ours:
        fn(nt.tensor(arr))
    assert str(ours.value) == message and message in str(theirs.value)


U = np.array([[3, 1, 2], [1, 1, 0], [3, 1, 2], [0, 0, 0]])


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True, "return_counts": True},
                                    {"dim": 1, "return_counts": True}, {"dim": -1}, {"sorted": False}])
def test_unique_matches_torch(kwargs):
    compare_with_torch(lambda m, x: m.unique(x, **kwargs), U)
    compare_with_torch(lambda m, x: x.unique(**kwargs), U.astype(np.float32), grad=False)


CONSEC = np.array([[1, 1, 2], [1, 1, 2], [3, 3, 1], [3, 3, 1], [1, 1, 2]])


@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True},
                                    {"dim": 0, "return_inverse": True, "return_counts": True},
                                    {"dim": 1, "return_counts": True}])
def test_unique_consecutive_matches_torch(kwargs):
    compare_with_torch(lambda m, x: m.unique_consecutive(x, **kwargs), CONSEC)
    compare_with_torch(lambda m, x: x.unique_consecutive(**kwargs), CONSEC.astype(np.float64), grad=False)


def test_unique_edge_cases():
    compare_with_torch(lambda m, x: m.unique(x), np.array(3))
    compare_with_torch(lambda m, x: m.unique(x, return_inverse=True), np.zeros(0), grad=False)
    compare_with_torch(lambda m, x: m.unique_consecutive(x, return_counts=True), np.zeros(0), grad=False)


BOUNDS = np.array([[1., 3., 5., 7.], [2., 2., 4., 8.]])
VALUES = np.array([[3., 0., 9.], [2., 4.5, 8.]])


@pytest.mark.parametrize("kwargs", [{}, {"right": True}, {"side": "right"}, {"side": "left"}, {"out_int32": True}])
def test_searchsorted_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    for seq, vals in ((BOUNDS, VALUES), (BOUNDS[1], VALUES), (BOUNDS[0].astype(np.int64), VALUES[0]),
                      (BOUNDS, VALUES[:, :0])):
        ours = nt.searchsorted(nt.tensor(seq), nt.tensor(vals), **kwargs)
        theirs = torch.searchsorted(torch.tensor(seq), torch.tensor(vals), **kwargs)
        assert ours.dtype.name == str(theirs.dtype).split(".")[-1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    scalar = nt.searchsorted(nt.tensor(BOUNDS[0]), 3.0, **kwargs)
    assert scalar.shape == () and scalar.item() == torch.searchsorted(torch.tensor(BOUNDS[0]), 3.0, **kwargs).item()


def test_searchsorted_sorter_and_errors():
    torch = pytest.importorskip("torch")
    seq = np.array([5., 1., 3.])
    sorter = np.argsort(seq)
    ours = nt.searchsorted(nt.tensor(seq), nt.tensor([2., 4.]), sorter=nt.tensor(sorter))
    theirs = torch.searchsorted(torch.tensor(seq), torch.tensor([2., 4.]), sorter=torch.tensor(sorter))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError, match="first N-1 dimensions of boundaries tensor and input value tensor must"):
        nt.searchsorted(nt.zeros(2, 3), nt.zeros(3, 1))
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        nt.searchsorted(nt.tensor(seq), nt.tensor([1.]), side="left", right=True)


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_matches_torch(right):
    torch = pytest.importorskip("torch")
    vals, bounds = np.array([[1., 3., 5.5], [0., 7., 3.]]), np.array([1., 3., 5.])
    ours = nt.bucketize(nt.tensor(vals), nt.tensor(bounds), right=right)
    theirs = torch.bucketize(torch.tensor(vals), torch.tensor(bounds), right=right)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert nt.bucketize(4.0, nt.tensor(bounds), out_int32=True).dtype is nt.int32
    with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"):
        nt.bucketize(nt.tensor(vals), nt.tensor(vals))


@pytest.mark.parametrize("fn, op", [(lambda x: x.unique(), "_unique2"), (lambda x: x.unique(dim=0), "unique_dim"),
                                    (lambda x: x.unique_consecutive(), "unique_consecutive")])
def test_unique_is_recorded_but_not_differentiable(fn, op):
    out = fn(nt.tensor([1., 2., 1.], requires_grad=True))
    assert out.requires_grad
    with pytest.raises(NotImplementedError, match=f"the derivative for '{op}' is not implemented."):
        out.sum().backward()
