"""Double backward of the remaining elementwise and layout ops (sinc, logit, i0, logcumsumexp, as_strided,
Tensor.unfold, in-place views, pad_sequence, sparse COO): gradgradcheck in float64 and second derivatives against
PyTorch's on the same inputs."""
import pytest

import numbatorch as nt
from numbatorch.autograd import gradgradcheck

from .test_higher_order_indexing import random_arrays, assert_second_derivatives_match_torch

torch = pytest.importorskip("torch")


def _swapped_in_place(t):
    c = t * 1
    c.t_()
    c.unsqueeze_(0)
    return c


def _padded(lib, a, b):
    return lib.nn.utils.rnn.pad_sequence([a, b * b], padding_value=0.5) ** 2 * lib.nn.utils.rnn.pad_sequence(
        [a.sin(), b], batch_first=True).sum()


OPS = [
    ("sinc", lambda lib, a: lib.sinc(a) * a, [(5,)]),
    ("logit", lambda lib, a: lib.logit(a.sigmoid()) * a + lib.logit(a.sigmoid() * 0.98 + 0.01, eps=0.2) ** 2, [(6,)]),
    ("i0", lambda lib, a: lib.i0(a * 2) * a + lib.special.i0(a) ** 2, [(5,)]),
    ("logcumsumexp", lambda lib, a: a.logcumsumexp(1) * a + lib.logcumsumexp(a * a, 0) ** 2, [(3, 4)]),
    ("as_strided", lambda lib, a: (a.as_strided((2, 2), (1, 2), 1) ** 2 * a[:2, :2]).sum() * a
     + a.as_strided((3,), (4,)).sum() * a, [(3, 4)]),
    ("tensor_unfold", lambda lib, a: a.unfold(1, 2, 1) ** 2 * a.unfold(1, 2, 2).sum() + a.unfold(0, 3, 1).sum(),
     [(3, 5)]),
    ("inplace_views", lambda lib, a: _swapped_in_place(a) ** 2 * a.t(), [(3, 2)]),
    ("pad_sequence", _padded, [(3, 2), (2, 2)]),
    ("einsum_diagonal", lambda lib, a, b: lib.einsum("ii,ij->ij", a, b) ** 2 * b + lib.einsum("ii->i", a * a).sum() * b,
     [(3, 3), (3, 4)]),
    ("igamma_igammac", lambda lib, x: lib.igamma(lib.tensor([0.5, 2.0, 3.5], dtype=x.dtype), x * x + 0.1) * x
     + lib.igammac(lib.tensor([1.5, 0.7, 4.0], dtype=x.dtype), x.exp()) ** 2, [(3,)]),
    ("inf_norms", lambda lib, a, b: lib.linalg.vector_norm(a, float("inf"), dim=1).sum() * b
     + lib.linalg.vector_norm(b * b, -float("inf")) * b, [(3, 3), (3, 4)]),
]

# PyTorch has no double backward through sparse tensors' construction from values
GRADGRAD_ONLY = [
    ("sparse_coo", lambda lib, v: (lib.sparse_coo_tensor(lib.tensor([[0, 1, 0], [2, 0, 2]]), v * v, (2, 3))
                                   .coalesce().to_dense() ** 2) * v.sum(), [(3,)]),
]


@pytest.mark.parametrize("name,fn,shapes", OPS + GRADGRAD_ONLY, ids=[o[0] for o in OPS + GRADGRAD_ONLY])
def test_gradgradcheck(name, fn, shapes):
    xs = [nt.tensor(a, requires_grad=True) for a in random_arrays(shapes)]
    assert gradgradcheck(lambda *t: fn(nt, *t), xs)


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_second_derivatives_match_torch(name, fn, shapes):
    assert_second_derivatives_match_torch(fn, shapes)
