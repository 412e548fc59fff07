"""``index_reduce`` / ``Tensor.index_reduce_`` against PyTorch: values and gradients for every reduction."""
import re

import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_reduce_matches_pytorch(reduce, include_self, dim):
    x = _RNG.standard_normal((4, 3, 5))
    n = {0: 6, 1: 4, -1: 7}[dim]
    src_shape = list(x.shape)
    src_shape[dim] = n
    src = _RNG.standard_normal(src_shape)
    index = _RNG.integers(0, x.shape[dim], n)
    compare_with_torch(lambda lib, x, s: x.index_reduce(dim, lib.tensor(index), s, reduce, include_self=include_self),
                       x, src, names=False, tol=1e-10)


def test_index_reduce_in_place_and_torch_form():
    x, src, index = _RNG.standard_normal((3, 2)), _RNG.standard_normal((4, 2)), [0, 2, 0, 1]
    for lib in (nt, torch):
        t = lib.tensor(x)
        assert t.index_reduce_(0, lib.tensor(index), lib.tensor(src), "amax") is t
        expected = torch.tensor(x).index_reduce_(0, torch.tensor(index), torch.tensor(src), "amax")
        np.testing.assert_array_equal(t.numpy(), expected.numpy())
    np.testing.assert_array_equal(
        nt.index_reduce(nt.tensor(x), 0, nt.tensor(index), nt.tensor(src), "mean").numpy(),
        torch.index_reduce(torch.tensor(x), 0, torch.tensor(index), torch.tensor(src), "mean").numpy())


@pytest.mark.parametrize("case", ["reduce", "index_dims", "index_count"])
def test_index_reduce_errors_match_pytorch(case):
    x, src = np.ones((3, 2)), np.ones((4, 2))
    index, reduce = {"reduce": ([0, 1, 0, 2], "sum"), "index_dims": ([[0]], "prod"),
                     "index_count": ([0, 1], "prod")}[case]
    with pytest.raises((RuntimeError, IndexError)) as expected:
        torch.tensor(x).index_reduce(0, torch.tensor(index), torch.tensor(src), reduce)
    with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
        nt.tensor(x).index_reduce(0, nt.tensor(index), nt.tensor(src), reduce)
