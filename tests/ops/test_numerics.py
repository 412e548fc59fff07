"""diff, cov, corrcoef, quantile, histc, bincount, Tensor.unfold and the other numerics against PyTorch."""
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 5))
XN = X.copy()
XN[1, 2] = np.nan
I = np.array([1, 4, 1, 0, 7])


def _eval(lib, expr, grad=False):
    env = {"m": lib, "x": lib.tensor(X, requires_grad=grad), "xn": lib.tensor(XN), "i": lib.tensor(I),
           "w": lib.tensor(np.array([1.0, 2.0, 0.5, 1.0, 3.0])), "fw": lib.tensor(np.array([1, 2, 1, 3, 1])),
           "np": np}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, env), env["x"]


def _same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    if isinstance(theirs, torch.dtype):
        assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-12)


DIFFERENTIABLE = [
    "m.deg2rad(x)", "x.rad2deg()", "m.diff(x)", "m.diff(x, n=2, dim=0)", "m.diff(x, prepend=x[:, :1], append=x)",
    "m.cov(x)", "m.cov(x, correction=0)", "m.cov(x, fweights=fw, aweights=w)", "m.cov(x[0])", "m.corrcoef(x)",
    "m.quantile(x, 0.3)", "m.quantile(x, m.tensor([0.1, 0.5, 0.9], dtype=m.float64), dim=1, keepdim=True)",
    "x.quantile(0.25, dim=0, interpolation='lower')", "m.quantile(x, 0.6, 1, interpolation='higher')",
    "m.quantile(x, 0.5, 1, interpolation='midpoint')", "m.quantile(x, 0.4, 0, interpolation='nearest')",
    "m.nanquantile(x, 0.5, dim=1)", "m.dist(x, x.flip(0))", "m.dist(x, 2 * x, 3)", "m.diagflat(x[0], 1)",
    "m.float_power(x, 2)", "m.ldexp(x, m.tensor([1, 2, 3, 0, 4]))", "m.copysign(x, -1.0)",
    "m.trapezoid(x)", "m.trapezoid(x, dx=0.5, dim=0)", "m.trapz(x, m.arange(5.0) ** 2)",
    "m.cumulative_trapezoid(x)", "m.combinations(x[0], 3)", "m.combinations(x[0], 2, with_replacement=True)",
    "x.unfold(1, 2, 1)", "x.unfold(0, 2, 2)", "x.unfold(-1, 3, 2)", "m.angle(x)", "m.positive(x)", "x.conj()",
    "m.hsplit(x, [1, 3])", "m.vsplit(x, 3)", "m.cdist(x, x[:2])", "m.cdist(x, x + 1, p=1)",
    "m.gradient(x)", "m.gradient(x, spacing=2.0, dim=1)", "m.gradient(x, spacing=[0.5, 2.0], edge_order=2)",
    "m.gradient(x, spacing=(m.arange(5.0, dtype=m.float64) ** 2,), dim=1, edge_order=2)",
]

VALUES = [
    "m.nanquantile(xn, 0.5, dim=1)", "m.quantile(xn, 0.5, dim=1)", "m.histc(x, 4)", "m.histc(x, 3, min=-1, max=1)",
    "m.bincount(i)", "m.bincount(i, minlength=10)", "m.bincount(i, weights=w)",
    "m.bincount(i, weights=w.float())", "m.isin(i, m.tensor([1, 7]))", "m.isin(i, m.tensor([1, 7]), invert=True)",
    "m.gcd(i, m.tensor(6))", "m.lcm(i, m.tensor([2]))", "m.frexp(x)", "m.nextafter(x, m.zeros(1, dtype=m.float64))",
    "m.unravel_index(m.tensor([5, 13]), (3, 5))", "m.histogram(x, bins=4)", "m.deg2rad(i)",
    "m.finfo(m.float32).eps", "m.finfo(m.float16).tiny", "m.finfo().max", "m.iinfo(m.int8).min", "m.iinfo(m.uint8).max",
    "m.finfo(m.float64).bits", "m.is_tensor(x)", "m.is_tensor(3)", "m.numel(x)", "m.result_type(i, 2.5)",
    "m.can_cast(m.float64, m.int32)", "m.can_cast(m.int32, m.float64)", "m.is_nonzero(m.tensor([1.5]))",
    "x.is_same_size(x[0])", "x.is_signed()", "m.tensor([1], dtype=m.uint8).is_signed()", "x.nbytes", "x.itemsize",
    "x.get_device()", "m.typename(x)", "m.typename(x.float())", "x.new(2, 3).shape", "x.new([1, 2])",
    "m.tensor([1, 2]).new([3.7])", "x.real", "m.e", "m.pi", "m.is_conj(x)", "m.resolve_neg(x)",
]


@pytest.mark.parametrize("expr", DIFFERENTIABLE)
def test_differentiable_numerics(expr):
    ours, x_ours = _eval(nt, expr, grad=True)
    theirs, x_theirs = _eval(torch, expr, grad=True)
    _same(ours, theirs)
    outs = (ours,) if isinstance(ours, nt.Tensor) else ours
    touts = (theirs,) if isinstance(theirs, torch.Tensor) else theirs
    loss_o = sum((o * nt.tensor(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)))).sum() for o in outs)
    loss_t = sum((t * torch.tensor(np.cos(np.arange(t.numel())).reshape(tuple(t.shape)))).sum() for t in touts)
    loss_o.backward()
    loss_t.backward()
    if x_theirs.grad is None:
        assert x_ours.grad is None or not np.any(x_ours.grad.numpy())
    else:
        np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("expr", ["m.diff(x, n=2, dim=0)", "m.cov(x, fweights=fw, aweights=w)", "m.corrcoef(x)",
                                  "m.quantile(x, 0.3, dim=1)", "x.unfold(-1, 3, 2)", "m.cdist(x, x[:2] + 1)",
                                  "m.cumulative_trapezoid(x, m.arange(5.0) ** 2)"])
def test_gradcheck(expr):
    def fn(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(expr, {"m": nt, "x": x, "fw": nt.tensor([1, 2, 1, 3, 1]),
                               "w": nt.tensor(np.array([1.0, 2.0, 0.5, 1.0, 3.0]))})
    assert gradcheck(fn, (nt.tensor(X, requires_grad=True),))


@pytest.mark.parametrize("expr", VALUES)
def test_values(expr):
    _same(_eval(nt, expr)[0], _eval(torch, expr)[0])


@pytest.mark.parametrize("expr", ["m.quantile(x, 1.5)", "m.quantile(i, 0.5)", "m.bincount(m.tensor([-1, 2]))",
                                  "m.finfo(m.int64)", "m.iinfo(m.bool)", "m.is_nonzero(m.tensor([1, 2]))",
                                  "x.unfold(1, 6, 1)", "m.hsplit(x, 2)", "x.imag", "m.gcd(x, x)",
                                  "m.positive(m.tensor([True]))", "m.combinations(x)", "m.cov(m.ones(2, 2, 2))",
                                  "m.gradient(x[:2], edge_order=2)", "m.gradient(x, spacing=[1.0])"])
def test_errors_match_torch(expr):
    with pytest.raises(Exception) as theirs:
        _eval(torch, expr)
    with pytest.raises(theirs.type):
        _eval(nt, expr)
