"""``np.where`` as a branch-free kernel (backends/cpu/_select_kernels.py): numpy's bits from both builds and the
stand-in (signed zeros, NaN payloads, numbers rounded to the dtype), the threaded dispatch, numpy's where for
everything else, and the ops that use it."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _select_kernels as S

from ._threaded_spy import spy_on_threads
from .test_cpu_arithmetic_kernels import SPECIALS, _assert_same_bits


def _arrays(dtype, size=8192, seed=0):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(size).astype(dtype) for _ in range(2))
    with np.errstate(over="ignore"):
        a[:len(SPECIALS)] = np.array(SPECIALS, dtype)
        b[:len(SPECIALS)] = np.array(SPECIALS[::-1], dtype)
    return rng.standard_normal(size) > 0, a, b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", ["arrays", "number second", "number first", "int number"])
def test_both_builds_and_the_stand_in_give_numpys_bits(dtype, form):
    cond, a, b = _arrays(dtype)
    if form == "number second":
        b = 0.1
    elif form == "number first":
        a = -0.1
    elif form == "int number":
        b = 0
    want = np.where(cond, a, b)
    _assert_same_bits(S.select(cond, a, b), want)
    typed = [v if type(v) is np.ndarray else np.dtype(dtype).type(v) for v in (a, b)]
    for build in (S._SELECT.serial, S._SELECT.parallel, S._select_numpy):
        out = np.empty_like(want)
        build(cond, *typed, out)
        _assert_same_bits(out, want)


def test_large_arrays_run_on_the_threads(monkeypatch):
    threaded = spy_on_threads(S, monkeypatch)
    cond, a, b = _arrays(np.float32, size=1 << 19)
    _assert_same_bits(S.select(cond.reshape(512, -1), a.reshape(512, -1), b.reshape(512, -1)),
                      np.where(cond, a, b).reshape(512, -1))
    assert threaded == [S._SELECT]


@pytest.mark.parametrize("case", ["small", "broadcast", "int arrays", "mixed dtypes", "uint8 condition",
                                  "complex number", "huge int"])
def test_numpys_where_where_the_kernel_does_not_apply(monkeypatch, case):
    threaded = spy_on_threads(S, monkeypatch)
    cond, a, b = _arrays(np.float32, size=1 << 19)
    if case == "small":
        cond, a, b = cond[:100], a[:100], b[:100]
    elif case == "broadcast":
        b = b[:1]
    elif case == "int arrays":
        a, b = a.astype(np.int32), b.astype(np.int32)
    elif case == "mixed dtypes":
        b = b.astype(np.float64)
    elif case == "uint8 condition":
        cond = cond.astype(np.uint8)
    elif case == "complex number":
        b = 1j
    else:
        b = 2 ** 60 + 1
    want = np.where(cond, a, b)
    got = S.select(cond, a, b)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert threaded == []


def test_where_elu_and_smooth_l1_match_pytorch():
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(3).standard_normal((64, 128)).astype(np.float32)
    results = []
    for lib in (nt, torch):
        x = lib.tensor(values, requires_grad=True)
        y = lib.where(x > 0.3, x * 2, x.neg()) + lib.nn.functional.elu(x) + lib.nn.functional.selu(x * 0.5)
        loss = y.sum() + lib.nn.functional.smooth_l1_loss(x, x.detach() * 0.25, beta=0.5)
        loss.backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
