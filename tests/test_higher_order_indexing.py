"""Double backward of the index-driven ops (scatter family, take/put, index_*, masked_*, cumulative, unfold...):
gradgradcheck in float64 and second derivatives against PyTorch's on the same inputs."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradgradcheck

torch = pytest.importorskip("torch")


def _idx(lib, values):
    return lib.tensor(values)


def _zeros(lib):
    """A mask giving rows (and columns) with no, one and two zeros."""
    return lib.tensor([[1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]], dtype=lib.float64)


def _scatter_reduce(lib, a, b, reduce, include_self):
    index = _idx(lib, [[0, 2, 0], [1, 1, 1]])
    return a.scatter_reduce(1, index, b, reduce, include_self=include_self)


# (id, fn(lib, *tensors) -> tensor, input shapes); ties of amax/amin are made by ``round`` on constants
OPS = [
    ("scatter", lambda lib, a, b: a.scatter(1, _idx(lib, [[0, 2], [1, 0]]), (b * b)[:, :2]) * a
     + a.scatter(0, _idx(lib, [[1, 0, 1]]), 2.5) * b[:, :1], [(2, 3), (2, 3)]),
    ("scatter_add", lambda lib, a, b: a.scatter_add(1, _idx(lib, [[0, 0], [1, 1]]), (b * a)[:, 1:]) ** 2,
     [(2, 3), (2, 3)]),
    ("scatter_reduce_sum_mean", lambda lib, a, b: _scatter_reduce(lib, a, b * a, "sum", False) ** 2
     + _scatter_reduce(lib, a * a, b, "mean", True) * a + _scatter_reduce(lib, a, b, "mean", False) * b,
     [(2, 3), (2, 3)]),
    ("scatter_reduce_prod", lambda lib, a, b: _scatter_reduce(lib, a, b * b + 0.5, "prod", True) * a
     + _scatter_reduce(lib, a * a, b, "prod", False) ** 2
     + a.scatter_reduce(0, _idx(lib, [[1, 0]]), b[:1, 1:], "prod") * b, [(2, 3), (2, 3)]),
    ("scatter_reduce_amax_amin", lambda lib, a, b: _scatter_reduce(lib, a * a, b, "amax", True) * a
     + _scatter_reduce(lib, a, b * b, "amin", False) ** 2, [(2, 3), (2, 3)]),
    ("take_put", lambda lib, a, b: (a.take(_idx(lib, [[0, 5], [-1, 5]])) ** 2 * b[:, :2]).sum()
     + a.put(_idx(lib, [1, -2]), b[0, :2] * b[1, :2]) * a
     + a.put(_idx(lib, [4, 4]), b[1, 1:] * a[0, 1:], accumulate=True) ** 2, [(2, 3), (2, 3)]),
    ("index_add_copy_fill", lambda lib, a, b, v: a.index_add(1, _idx(lib, [2, 0, 2]), b * a, alpha=0.5) ** 2
     + a.index_copy(1, _idx(lib, [1, 0]), b[:, :2] ** 2) * b + a.index_fill(0, _idx(lib, [1]), v.sum()) * a
     + a.index_fill(1, _idx(lib, [0, 2]), -1.5) * b, [(2, 3), (2, 3), (2,)]),
    ("masked_select_scatter", lambda lib, a, b: (a.masked_select(_idx(lib, [True, False, True])) ** 2).sum() * b
     + a.masked_scatter(_idx(lib, [[True, False, True], [False, True, False]]), (b * b).flip(0)) * a,
     [(2, 3), (2, 3)]),
    ("cumprod", lambda lib, a: a.cumprod(1) * a + (a * a + 0.5).cumprod(0).sum() * a, [(3, 4)]),
    ("prod_cumprod_with_zeros", lambda lib, a: (a * _zeros(lib)).cumprod(1) * a + (a * _zeros(lib)).cumprod(0) ** 2
     + (a * _zeros(lib)).prod(1, keepdim=True) * a + (a * _zeros(lib)).prod(0) + (a * _zeros(lib)[0]).prod() * a,
     [(3, 4)]),
    ("cummax_cummin", lambda lib, a: a.cummax(1).values ** 2 * a + a.cummin(0)[0] * a.sin(), [(3, 4)]),
    ("aminmax", lambda lib, a: lib.aminmax(a, dim=1, keepdim=True).min * a
     + lib.aminmax(a * a).max * lib.aminmax(a, dim=0).max, [(3, 4)]),
    ("block_diag", lambda lib, a, b, c: lib.block_diag(a * a, b, c) ** 2 * lib.block_diag(b, a, c).sum(),
     [(2, 2), (1, 3), ()]),
]


def random_arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_gradgradcheck(name, fn, shapes):
    xs = [nt.tensor(a, requires_grad=True) for a in random_arrays(shapes)]
    assert gradgradcheck(lambda *t: fn(nt, *t), xs)


def second_derivatives(lib, fn, arrays):
    """First derivatives along a random ``v`` and d/dx of their product with random ``w``, in ``lib``."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    v = lib.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)))
    firsts = lib.autograd.grad(out, xs, v, create_graph=True)
    ws = [lib.tensor(np.random.default_rng(3 + i).standard_normal(tuple(g.shape))) for i, g in enumerate(firsts)]
    total = sum((g * w).sum() for g, w in zip(firsts, ws) if g.requires_grad)
    seconds = lib.autograd.grad(total, xs, allow_unused=True, materialize_grads=True)
    return [g.detach().numpy() for g in firsts] + [s.numpy() for s in seconds]


def assert_second_derivatives_match_torch(fn, shapes, rtol=1e-10):
    arrays = random_arrays(shapes, seed=1)
    for a, b in zip(second_derivatives(nt, fn, arrays), second_derivatives(torch, fn, arrays)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_second_derivatives_match_torch(name, fn, shapes):
    assert_second_derivatives_match_torch(fn, shapes)
