"""Reductions against PyTorch (values, indices, dtypes, gradients) and finite differences."""
import functools
import math

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck
from tests import helpers

compare_with_torch = functools.partial(helpers.compare_with_torch, tol=1e-10)



RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4))  # distinct values: selection ops are differentiable everywhere

DIFFERENTIABLE = {
    "sum": lambda m, x: m.sum(x),
    "sum_dim": lambda m, x: x.sum(1),
    "sum_dims_keepdim": lambda m, x: x.sum((0, -1), keepdim=True),
    "sum_neg_dim": lambda m, x: m.sum(x, -2),
    "sum_dtype": lambda m, x: x.sum(1, dtype=m.float32),
    "mean": lambda m, x: x.mean(),
    "mean_dim_keepdim": lambda m, x: x.mean(-1, keepdim=True),
    "mean_dims": lambda m, x: m.mean(x, (0, 2)),
    "nansum": lambda m, x: m.nansum(x, 1),
    "nanmean": lambda m, x: m.nanmean(x, (0, 1)),
    "std": lambda m, x: x.std(),
    "std_dim_keepdim": lambda m, x: x.std(1, keepdim=True),
    "std_unbiased_positional": lambda m, x: x.std(1, False),
    "std_correction": lambda m, x: m.std(x, (0, 2), correction=0),
    "var": lambda m, x: x.var(),
    "var_legacy_all_args": lambda m, x: x.var(2, True, True),
    "var_unbiased_only": lambda m, x: m.var(x, False),
    "var_correction2": lambda m, x: m.var(x, 1, correction=2),
    "std_mean": lambda m, x: m.std_mean(x, 1),
    "var_mean": lambda m, x: m.var_mean(x, (0, 1), keepdim=True),
    "max": lambda m, x: x.max(),
    "max_dim": lambda m, x: x.max(1),
    "max_dim_keepdim": lambda m, x: x.max(-1, keepdim=True),
    "min": lambda m, x: m.min(x),
    "min_dim": lambda m, x: m.min(x, 0),
    "amax": lambda m, x: x.amax(),
    "amax_dims": lambda m, x: x.amax((0, 2), keepdim=True),
    "amin_dim": lambda m, x: m.amin(x, 1),
    "aminmax": lambda m, x: m.aminmax(x, dim=1),
    "prod": lambda m, x: x.prod(),
    "prod_dim": lambda m, x: x.prod(1),
    "prod_keepdim": lambda m, x: m.prod(x, -1, keepdim=True),
    "logsumexp": lambda m, x: x.logsumexp(1),
    "logsumexp_dims": lambda m, x: m.logsumexp(x, (0, 2), keepdim=True),
    "norm": lambda m, x: x.norm(),
    "norm_dim": lambda m, x: x.norm(dim=1),
    "norm_p1": lambda m, x: x.norm(1, dim=(0, 2)),
    "norm_inf": lambda m, x: x.norm(float("inf"), dim=1),
    "norm_ninf": lambda m, x: m.norm(x, float("-inf")),
    "norm_fro": lambda m, x: m.norm(x, "fro", dim=(1, 2), keepdim=True),
    "norm_p3": lambda m, x: x.norm(3, 1),
    "cumsum": lambda m, x: x.cumsum(1),
    "cumsum_neg": lambda m, x: m.cumsum(x, -1),
    "cumprod": lambda m, x: x.cumprod(2),
    "cumprod_dim0": lambda m, x: m.cumprod(x, 0),
    "cummax": lambda m, x: x.cummax(1),
    "cummin": lambda m, x: m.cummin(x, -1),
    "median": lambda m, x: x.median(),
    "median_dim": lambda m, x: x.median(1),
    "median_keepdim": lambda m, x: m.median(x, -1, keepdim=True),
    "nanmedian_dim": lambda m, x: m.nanmedian(x, 2),
}


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_matches_torch(name):
    compare_with_torch(DIFFERENTIABLE[name], X)


@pytest.mark.parametrize("name", [n for n in DIFFERENTIABLE if n != "sum_dtype"])  # float32 result: too coarse
def test_gradcheck(name):
    fn = DIFFERENTIABLE[name]
    assert gradcheck(lambda x: fn(nt, x), (nt.tensor(X.copy(), requires_grad=True),))


def test_float32_matches_torch():
    for name in ("sum_dim", "std", "logsumexp", "norm_dim", "cumprod", "max_dim", "median_dim"):
        compare_with_torch(DIFFERENTIABLE[name], X.astype(np.float32), tol=1e-5)


TIES = np.array([[1., 3., 3., 0.], [2., 2., 2., 2.], [5., 1., 5., 1.]])
TIE_CASES = {
    "max": lambda m, x: x.max(),
    "min": lambda m, x: x.min(),
    "max_dim_first_index": lambda m, x: x.max(1),
    "min_dim_first_index": lambda m, x: m.min(x, 1),
    "amax_split": lambda m, x: x.amax(1),
    "amin_split": lambda m, x: m.amin(x, (0, 1)),
    "aminmax": lambda m, x: m.aminmax(x),
    "median_split": lambda m, x: x.median(),
    "cummax_latest_index": lambda m, x: x.cummax(1),
    "cummin_latest_index": lambda m, x: m.cummin(x, 0),
    "norm_inf_split": lambda m, x: x.norm(float("inf"), dim=1),
    "mode": lambda m, x: x.mode(1),
    "mode_dim0": lambda m, x: m.mode(x, 0, keepdim=True),
}


@pytest.mark.parametrize("name", list(TIE_CASES))
def test_ties_match_torch(name):
    compare_with_torch(TIE_CASES[name], TIES)


ZEROS = np.array([[2., 0., 3., 4.], [0., 1.5, 0., 2.], [1., 2., -1., 3.]])


@pytest.mark.parametrize("fn", [lambda m, x: x.prod(), lambda m, x: x.prod(1), lambda m, x: m.prod(x, 0),
                                lambda m, x: x.cumprod(1), lambda m, x: m.cumprod(x, 0)])
def test_prod_cumprod_with_zeros(fn):
    compare_with_torch(fn, ZEROS)
    assert gradcheck(lambda x: fn(nt, x), (nt.tensor(ZEROS.copy(), requires_grad=True),))


NAN = np.array([[1., np.nan, 3.], [2., 0.5, np.nan], [4., 1., 2.]])


@pytest.mark.parametrize("fn", [lambda m, x: x.max(1), lambda m, x: x.amax(1), lambda m, x: x.sum(1),
                                lambda m, x: m.nansum(x, 1), lambda m, x: m.nanmean(x, 0), lambda m, x: x.median(1),
                                lambda m, x: m.nanmedian(x, 1), lambda m, x: x.cummax(1), lambda m, x: x.argmax(1),
                                lambda m, x: x.logsumexp(1)])
def test_nan_values_match_torch(fn):
    compare_with_torch(fn, NAN, grad=False)


INT = np.array([[3, -1, 2], [0, 5, 5]])


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "uint8", "bool", "float16", "float32"])
@pytest.mark.parametrize("fn", [
    lambda m, x: x.sum(), lambda m, x: x.sum(0), lambda m, x: x.prod(1), lambda m, x: x.cumsum(1),
    lambda m, x: x.cumprod(0), lambda m, x: x.max(), lambda m, x: x.max(1), lambda m, x: x.amin(0),
    lambda m, x: x.argmax(), lambda m, x: x.argmin(1, keepdim=True), lambda m, x: x.all(), lambda m, x: x.any(1),
    lambda m, x: m.all(x, (0, 1)), lambda m, x: m.count_nonzero(x, 1), lambda m, x: m.count_nonzero(x),
    lambda m, x: x.cummax(1), lambda m, x: x.cummin(0), lambda m, x: x.median(1), lambda m, x: x.mode(1),
    lambda m, x: x.sum(1, dtype=m.float64), lambda m, x: x.mean(dtype=m.float32),
])
def test_result_dtypes_match_torch(dtype, fn):
    torch = pytest.importorskip("torch")
    arr = INT.astype(dtype)
    try:
        fn(torch, torch.tensor(arr))
    except RuntimeError:  # e.g. argmax on bool: numbatorch must refuse too
        with pytest.raises(RuntimeError):
            fn(nt, nt.tensor(arr))
        return
    compare_with_torch(fn, arr, grad=False, tol=1e-2 if dtype == "float16" else 1e-10)


@pytest.mark.parametrize("fn", [lambda m, x: x.sum(0), lambda m, x: x.max(-1), lambda m, x: x.argmax(0),
                                lambda m, x: x.cumsum(0), lambda m, x: x.cumprod(0), lambda m, x: x.median(),
                                lambda m, x: x.median(0), lambda m, x: x.prod(0), lambda m, x: x.std(0, correction=0),
                                lambda m, x: x.amax(), lambda m, x: x.logsumexp(0), lambda m, x: x.norm()])
def test_zero_dim_matches_torch(fn):
    compare_with_torch(fn, np.array(1.5))


@pytest.mark.parametrize("fn", [lambda m, x: x.sum(), lambda m, x: x.sum(1), lambda m, x: x.mean(),
                                lambda m, x: x.prod(), lambda m, x: x.max(0), lambda m, x: x.amax(0),
                                lambda m, x: x.norm(), lambda m, x: x.cumsum(1), lambda m, x: x.all(),
                                lambda m, x: x.any(0)])
def test_empty_matches_torch(fn):
    compare_with_torch(fn, np.zeros((2, 0)), grad=False)


@pytest.mark.parametrize("fn, exc, message", [
    (lambda x: x.long().mean(), RuntimeError, "mean(): could not infer output dtype. Input dtype must be either a "
                                              "floating point or complex dtype. Got: Long"),
    (lambda x: x.long().std(), RuntimeError, "std and var only support floating point"),
    (lambda x: x.long().norm(), RuntimeError, "Expected a floating point or complex tensor as input. Got Long"),
    (lambda x: x.sum((0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda x: x.sum(3), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
    (lambda x: x[:, :0].max(), RuntimeError, "max(): Expected reduction dim to be specified for input.numel() == 0"),
    (lambda x: x[:, :0].max(1), IndexError, "max(): Expected reduction dim 1 to have non-zero size."),
    (lambda x: x[:, :0].argmin(), IndexError, "argmin(): Expected reduction dim to be specified"),
    (lambda x: x.bool().argmax(), RuntimeError, "argmax(): does not support bool input"),
    (lambda x: x.var(0, True, correction=1), TypeError, "var() received an invalid combination of arguments"),
    (lambda x: x.bool().median(), NotImplementedError, "\"median_cpu\" not implemented for 'Bool'"),
])
def test_error_messages(fn, exc, message):
    torch = pytest.importorskip("torch")
    arr = np.ones((2, 3))
    with pytest.raises(exc) as theirs:
        fn(torch.tensor(arr))
    with pytest.raises(exc) as ours:
        fn(nt.tensor(arr))
    assert message in str(ours.value)
    assert message.split(" (")[0].split(". ")[0] in str(theirs.value)


def test_return_type_fields_and_repr():
    x = nt.tensor(X)
    res = x.max(1)
    values, indices = res
    assert values is res.values and indices is res.indices
    assert repr(res).startswith("numbatorch.return_types.max(\nvalues=tensor(")
    assert nt.aminmax(x).min.item() == X.min() and nt.aminmax(x).max.item() == X.max()
    assert not res.indices.requires_grad


def test_max_of_two_tensors_is_maximum():
    if not hasattr(nt, "maximum"):
        pytest.skip("numbatorch.maximum not available yet")
    a, b = nt.tensor(X[0]), nt.tensor(X[1])
    np.testing.assert_array_equal(nt.max(a, b).numpy(), np.maximum(X[0], X[1]))
    np.testing.assert_array_equal(a.min(b).numpy(), np.minimum(X[0], X[1]))


def test_inplace_change_of_saved_input_is_detected():
    x = nt.tensor(X, requires_grad=True)
    y = x * 1
    out = y.prod(1)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_grad_mode_off_records_nothing():
    x = nt.tensor(X, requires_grad=True)
    with nt.no_grad():
        for fn in (DIFFERENTIABLE["std_mean"], DIFFERENTIABLE["max_dim"], DIFFERENTIABLE["cummax"]):
            assert all(o.grad_fn is None for o in helpers.as_outputs(fn(nt, x)))


def test_large_cummax_uses_parallel_kernel_consistently():
    torch = pytest.importorskip("torch")
    arr = np.random.default_rng(3).integers(0, 50, size=(300, 400)).astype(np.float32)
    ours, theirs = nt.tensor(arr).cummax(1), torch.tensor(arr).cummax(1)
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_vector_norm_general_p():
    from numbatorch._ops.norms import vector_norm
    x = nt.tensor(X, requires_grad=True)
    out = vector_norm(x, 2.5, dim=(0, 1))
    np.testing.assert_allclose(out.detach().numpy(), (np.abs(X) ** 2.5).sum((0, 1)) ** (1 / 2.5))
    assert gradcheck(lambda t: vector_norm(t, 2.5, dim=(0, 1)), (x,))
    assert math.isclose(vector_norm(nt.tensor([3., 4.])).item(), 5.0)
