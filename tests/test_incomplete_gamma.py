"""``igamma``/``igammac`` (regularized incomplete gamma) against PyTorch: values over a wide range, edge values,
the gradient in ``x`` and the missing one in ``a``, dtypes and errors."""
import re

import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_A = np.array([0.01, 0.3, 0.5, 1.0, 2.5, 7.0, 30.0, 150.0, 1000.0])
_X = np.array([1e-4, 0.2, 1.0, 3.0, 9.0, 40.0, 140.0, 1100.0])


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_values_match_pytorch(name):
    a, x = np.meshgrid(_A, _X, indexing="ij")
    ours = getattr(nt, name)(nt.tensor(a), nt.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_edge_values_match_pytorch(name):
    inf, nan = float("inf"), float("nan")
    a = np.array([0.0, 0.0, 1.0, 2.0, -1.0, 2.0, inf, 3.0, inf, 0.0])
    x = np.array([0.0, 1.0, 0.0, inf, 1.0, -1.0, 2.0, nan, inf, inf])
    ours = getattr(nt, name)(nt.tensor(a), nt.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_gradient_in_x_matches_pytorch_and_none_in_a(name):
    a, x = np.array([[0.5], [2.0], [9.0]]), np.array([0.3, 1.7, 8.0, 15.0])
    compare_with_torch(lambda lib, x: getattr(lib, name)(lib.tensor(a), x), x, tol=1e-9)
    with pytest.raises(NotImplementedError, match=f"the derivative for '{name}: input' is not implemented"):
        getattr(nt, name)(nt.tensor(a, requires_grad=True), nt.tensor(x)).sum().backward()


def test_methods_in_place_forms_dtypes_and_errors_match_pytorch():
    for lib in (nt, torch):
        t = lib.tensor([2.0, 3.0])
        assert t.igamma_(lib.tensor([1.0, 4.0])) is t
        np.testing.assert_allclose(t.numpy(), torch.igamma(torch.tensor([2.0, 3.0]), torch.tensor([1.0, 4.0])).numpy(),
                                   rtol=1e-6)
        assert str(lib.tensor([2.0]).igammac(lib.tensor([1.0], dtype=lib.float64)).dtype).endswith("float64")
        np.testing.assert_allclose(nt.special.gammainc(nt.tensor([2.0]), nt.tensor([1.0])).numpy(),
                                   torch.special.gammainc(torch.tensor([2.0]), torch.tensor([1.0])).numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError) as expected:
        torch.igamma(torch.tensor([1, 2]), torch.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match=re.escape(str(expected.value))):
        nt.igamma(nt.tensor([1, 2]), nt.tensor([1, 2]))
