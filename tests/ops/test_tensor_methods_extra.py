"""logcumsumexp, the method forms and in-place numerics, and dense tensors' sparse accessors, against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).standard_normal((3, 4)) * 30  # large values: logcumsumexp must not overflow


def _eval(lib, expr, grad=False):
    env = {"m": lib, "x": lib.tensor(X, requires_grad=grad), "i": lib.tensor([4, 6, 9])}
    return eval(expr, env), env["x"]


def _same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp_values_and_gradients(dim):
    ours, xo = _eval(nt, f"m.logcumsumexp(x, {dim})", grad=True)
    theirs, xt = _eval(torch, f"m.logcumsumexp(x, {dim})", grad=True)
    _same(ours, theirs)
    w = np.cos(np.arange(12.0)).reshape(3, 4)  # mixed signs exercise both log-space sums
    (ours * nt.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-7, atol=1e-12)
    assert gradcheck(lambda x: nt.logcumsumexp(x, dim), (nt.tensor(X / 30, requires_grad=True),))


@pytest.mark.parametrize("expr", [
    "x.hardshrink(20)", "x.prelu(m.tensor([0.1], dtype=m.float64))", "x.histogram(4)", "(x / 30).i0()",
    "x.clone().deg2rad_()", "x.clone().rad2deg_()", "x.clone().copysign_(-1.0)", "x.clone().ldexp_(m.tensor(2))",
    "i.clone().gcd_(m.tensor(6))", "i.clone().lcm_(m.tensor(4))", "x.clone().nextafter_(m.zeros(1, dtype=m.float64))",
    "x.clone().renorm_(2, 0, 5.0)", "(x / 30).clone().i0_()", "x.clone().negative_()", "x.clone().float_power_(2)",
    "x.narrow_copy(1, 1, 2)", "x.new_empty_strided((2, 2), (2, 1)).stride()", "x.is_distributed()",
    "x.is_set_to(x)", "x.is_set_to(x.clone())", "x.sparse_dim()", "x.dense_dim()",
])
def test_methods_match_torch(expr):
    _same(_eval(nt, expr)[0], _eval(torch, expr)[0])


@pytest.mark.parametrize("expr", ["x.coalesce()", "x.indices()", "x.values()", "x.is_coalesced()",
                                  "x.float().float_power_(2)"])
def test_errors_match_torch(expr):
    with pytest.raises(RuntimeError) as theirs:
        _eval(torch, expr)
    with pytest.raises(RuntimeError) as ours:
        _eval(nt, expr)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("expr", ["m.as_strided(x, (2, 2), (1, 1))", "x.as_strided((3, 2), (2, 3), 1)",
                                  "m.as_strided(x[1:], (2,), (2,))", "m.as_strided(x[1:], (2,), (2,), 0)",
                                  "x.t().as_strided((2, 2), (4, 1))", "x.as_strided((2, 0), (1, 1))"])
def test_as_strided_matches_torch(expr):
    ours, xo = _eval(nt, expr, grad=True)
    theirs, xt = _eval(torch, expr, grad=True)
    _same(ours, theirs)
    w = np.cos(np.arange(theirs.numel())).reshape(tuple(theirs.shape))
    (ours * nt.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_as_strided_bounds_and_scatter_reduce_inplace():
    with pytest.raises(RuntimeError) as theirs:
        torch.as_strided(torch.arange(6.0), (3, 3), (1, 2))
    with pytest.raises(RuntimeError) as ours:
        nt.as_strided(nt.arange(6.0), (3, 3), (1, 2))
    assert str(ours.value) == str(theirs.value)
    results = []
    for lib in (torch, nt):
        t = lib.zeros(3)
        t.scatter_reduce_(0, lib.tensor([0, 1, 0, 2]), lib.tensor([1.0, 2.0, 3.0, 4.0]), "amax", include_self=False)
        results.append(t.tolist())
    assert results[0] == results[1]
