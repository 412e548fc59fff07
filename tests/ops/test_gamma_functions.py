"""lgamma, digamma, polygamma and mvlgamma against PyTorch: values (poles included) and gradients."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

X = np.array([-2.5, -0.5, 0.3, 1.0, 2.7, 15.0, 40.0, 1e-3, 123.4])
POLES = np.array([0.0, -1.0, -3.0])


@pytest.mark.parametrize("expr", ["m.lgamma(x)", "m.digamma(x)", "x.lgamma()", "x.digamma()",
                                  "m.polygamma(1, x)", "m.polygamma(2, x)", "x.polygamma(3)",
                                  "m.special.gammaln(x)", "m.special.psi(x)", "m.special.polygamma(4, x)"])
def test_values_and_gradients(expr):
    outs = []
    for lib in (torch, nt):
        x = lib.tensor(X, requires_grad=True)
        y = eval(expr, {"m": lib, "x": x})
        y.backward(lib.tensor(np.cos(np.arange(X.size))))
        outs.append((y.detach().numpy(), x.grad.numpy()))
    # PyTorch's trigamma is accurate to about 1e-9 relative (numbatorch's is exact: see test_trigamma_exact_values).
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-8 if "(1, x)" in expr else 1e-12, atol=1e-13)
    # PyTorch's trigamma (the gradient of digamma) is accurate to about 1e-9 relative.
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("fn", ["lgamma", "digamma", "polygamma_1", "polygamma_2"])
def test_poles_match_torch(fn):
    def call(lib):
        x = lib.tensor(POLES)
        return (lib.polygamma(int(fn[-1]), x) if fn.startswith("polygamma") else getattr(lib, fn)(x)).numpy()
    ours, theirs = call(nt), call(torch)
    zero = POLES == 0  # PyTorch's values at the negative integers are not exact poles for polygamma
    np.testing.assert_array_equal(ours[zero], theirs[zero])
    if fn in ("lgamma", "digamma"):
        np.testing.assert_array_equal(ours, theirs)


def test_mvlgamma_and_float32():
    data = np.array([[2.5, 3.0], [4.2, 1.6]])
    for p in (1, 2, 3):
        ours, theirs = nt.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        o, t = nt.mvlgamma(ours, p), torch.mvlgamma(theirs, p)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12)
        o.sum().backward()
        t.sum().backward()
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(nt.mvlgamma(nt.tensor([0.4]), 2).numpy(), torch.mvlgamma(torch.tensor([0.4]), 2).numpy(),
                               rtol=1e-6)
    for lib in (torch, nt):
        with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
            lib.mvlgamma(lib.tensor([2.0]), 0)
    x32 = X.astype(np.float32)
    np.testing.assert_allclose(nt.digamma(nt.tensor(x32)).numpy(), torch.digamma(torch.tensor(x32)).numpy(),
                               rtol=2e-6, atol=1e-6)
    assert nt.lgamma(nt.tensor([1, 2, 5])).dtype is nt.float32
    assert gradcheck(nt.lgamma, (nt.tensor(X[X > 0], requires_grad=True),))
    assert gradcheck(nt.digamma, (nt.tensor(X[X > 0], requires_grad=True),))


def test_trigamma_exact_values():
    values = nt.polygamma(1, nt.tensor([1.0, 0.5, 2.0], dtype=nt.float64)).numpy()
    np.testing.assert_allclose(values, [np.pi ** 2 / 6, np.pi ** 2 / 2, np.pi ** 2 / 6 - 1], rtol=1e-15)
