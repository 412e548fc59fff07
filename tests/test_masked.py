"""numbatorch.masked (torch.masked's mask= functions) against PyTorch: values, dtypes, fully masked-out slices
and gradients."""
import warnings

import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")

_X = np.array([[1.0, -2.0, 3.0, 0.5], [4.0, 5.0, -6.0, 2.0], [0.3, -0.7, 2.5, -1.5]])
_MASK = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
_PARTIAL = _MASK.copy()
_PARTIAL[1, 2] = True                                   # every row keeps an element: finite gradients

_REDUCTIONS = ["sum", "prod", "amax", "amin", "mean", "var", "std", "logsumexp"]
_ALONG = ["softmax", "log_softmax", "softmin", "cumsum", "cumprod"]


def _results(lib, dtype="float32"):
    x, mask, M = lib.tensor(_X, dtype=getattr(lib, dtype)), lib.tensor(_MASK), lib.masked
    out = []
    for name in _REDUCTIONS:
        fn = getattr(M, name)
        out += [fn(x, 1, mask=mask), fn(x, (0, 1), keepdim=True, mask=mask), fn(x, 0, mask=mask[0])]
    out += [getattr(M, name)(x, 1, mask=mask) for name in ("argmax", "argmin", "median")]
    out += [M.norm(x, ord, 1, mask=mask) for ord in (2.0, float("inf"), float("-inf"), 0, 1)]
    out += [getattr(M, name)(x, 1, mask=mask) for name in _ALONG]
    out += [M.normalize(x, 2.0, 1, mask=mask), M.logaddexp(x, x * 2, input_mask=mask, other_mask=~mask),
            M.sum(x.int(), 1, mask=mask), M.mean(x, 1, mask=mask, dtype=lib.float64), M.amax(x.int(), 1, mask=mask),
            M.var(x, 1, unbiased=False, mask=mask), M.std(x, 1, correction=2, mask=mask), M.sum(x, 1),
            M.mean(x, mask=mask)]
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_match_torch(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # PyTorch warns that torch.masked is a prototype
        got, want = _results(numbatorch, dtype), _results(torch, dtype)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape) and str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1]
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6, equal_nan=True)


def _gradients(lib, name):
    x, mask, M = lib.tensor(_X, requires_grad=True), lib.tensor(_PARTIAL), lib.masked
    if name in _ALONG or name == "normalize":
        args = (2.0, 1) if name == "normalize" else (1,)
        out = getattr(M, name)(x, *args, mask=mask)
    elif name == "norm":
        out = M.norm(x, 3.0, 1, mask=mask)
    elif name == "median":
        out = M.median(x, 1, mask=mask)
    else:
        out = getattr(M, name)(x, 1, mask=mask)
    weights = lib.tensor(np.arange(1.0, 1.0 + out.numel()).reshape(tuple(out.shape)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (out * weights).sum().backward()
    return x.grad.numpy()


@pytest.mark.parametrize("name", _REDUCTIONS + _ALONG + ["median", "norm", "normalize"])
def test_gradients_match_torch(name):
    np.testing.assert_allclose(_gradients(numbatorch, name), _gradients(torch, name), rtol=1e-10, atol=1e-12)


def test_masked_tensor_is_not_provided():
    assert numbatorch.masked.is_masked_tensor(numbatorch.ones(2)) is torch.masked.is_masked_tensor(torch.ones(2))
    with pytest.raises(NotImplementedError, match="MaskedTensor"):
        numbatorch.masked.MaskedTensor
