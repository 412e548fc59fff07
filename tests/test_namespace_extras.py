"""Window functions, poisson/binomial, set_default_tensor_type, torch.special and the torch.* function forms
(detach, fill, split_with_sizes, renorm, triangular_solve, ...) against PyTorch."""
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
TRI = np.triu(RNG.standard_normal((3, 3))) + 3 * np.eye(3)


def _eval(lib, expr, grad=False):
    env = {"m": lib, "x": lib.tensor(X, requires_grad=grad), "tri": lib.tensor(TRI), "np": np}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(expr, env), env["x"]


def _same(ours, theirs, rtol=1e-6):
    if isinstance(theirs, (tuple, list)):
        for a, b in zip(ours, theirs):
            _same(a, b, rtol)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=1e-7)


VALUES = [
    "m.hann_window(5)", "m.hann_window(6, periodic=False)", "m.hamming_window(4, True, 0.5, 0.4)",
    "m.blackman_window(7, dtype=m.float64)", "m.bartlett_window(5)", "m.kaiser_window(5, False, 8.0)",
    "m.kaiser_window(6)", "m.hann_window(1)", "m.hann_window(0)", "m.hann_window(4, requires_grad=True)",
    "m.detach(x)", "m.fill(x, 2.5)", "m.is_inference(x)", "m.get_device(x)", "m.split_with_sizes(x, [1, 2])",
    "x.split_with_sizes([3, 1], 1)", "m.unsafe_chunk(x, 2, 1)", "m.unsafe_split(x, 2)",
    "m.constant_pad_nd(x, (1, 2), 0.5)", "m.renorm(x, 2, 0, 1.0)", "x.renorm(1, 1, 0.5)", "m.nuclear_norm(x)",
    "m.frobenius_norm(x, (0, 1))", "m.triangular_solve(x[:, :2], tri)",
    "m.triangular_solve(x[:, :2], tri.mT, upper=False, transpose=True)", "x.adjoint()",
    "m.special.expit(x)", "m.special.ndtr(x)", "m.special.log_ndtr(x * 5)", "m.special.entr(x)",
    "m.special.entr(m.tensor([0.0, 0.5]))", "m.special.i0(x)", "m.special.xlog1py(x, x.abs())",
    "m.special.xlog1py(m.tensor([0.0, 2.0]), m.tensor([-1.0, 3.0]))", "m.special.logsumexp(x, 1)",
    "m.special.softmax(x, 0)", "m.special.log_softmax(x, 1)", "m.special.erfinv(x / 5)",
    "m.special.logit(x.sigmoid())", "m.special.sinc(x)", "m.i0(x)",
]


@pytest.mark.parametrize("expr", VALUES)
def test_values_match_torch(expr):
    _same(_eval(nt, expr)[0], _eval(torch, expr)[0])


GRADIENTS = ["m.fill(x, 2.5)", "m.renorm(x, 2, 0, 1.0)", "m.nuclear_norm(x)", "m.special.ndtr(x)",
             "m.special.log_ndtr(x)", "m.special.entr(x.abs() + 0.1)", "m.special.i0(x)",
             "m.special.xlog1py(x, x.abs())", "m.constant_pad_nd(x, (1, 2), 0.5)", "m.triangular_solve(x[:, :2], tri)"]


@pytest.mark.parametrize("expr", GRADIENTS)
def test_gradients_match_torch(expr):
    ours, x_ours = _eval(nt, expr, grad=True)
    theirs, x_theirs = _eval(torch, expr, grad=True)
    ours = ours[0] if isinstance(ours, tuple) else ours
    theirs = theirs[0] if isinstance(theirs, tuple) else theirs
    w = np.cos(np.arange(theirs.numel())).reshape(tuple(theirs.shape))
    (ours * nt.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), rtol=1e-6, atol=1e-9)
    assert gradcheck(lambda x: _first(eval(expr, {"m": nt, "x": x, "tri": nt.tensor(TRI)})),
                     (nt.tensor(X, requires_grad=True),))


def _first(value):
    return value[0] if isinstance(value, tuple) else value


def test_poisson_and_binomial():
    gen = nt.Generator().manual_seed(0)
    rates = nt.tensor([0.5, 3.0, 20.0], dtype=nt.float64).expand(4000, 3).contiguous()
    draws = nt.poisson(rates, gen)
    assert draws.dtype is nt.float64 and np.all(draws.numpy() == np.round(draws.numpy()))
    np.testing.assert_allclose(draws.numpy().mean(0), [0.5, 3.0, 20.0], rtol=0.1)
    counts = nt.binomial(nt.full((4000,), 10.0), nt.full((4000,), 0.3), gen)
    assert counts.dtype is nt.float32 and 0 <= counts.numpy().min() and counts.numpy().max() <= 10
    assert abs(counts.numpy().mean() - 3.0) < 0.15
    for expr in ("m.poisson(m.tensor([1, 2]))", "m.poisson(m.tensor([-1.0]))"):
        with pytest.raises(Exception) as theirs:
            eval(expr, {"m": torch})
        with pytest.raises(theirs.type):
            eval(expr, {"m": nt})


def test_set_default_tensor_type():
    try:
        with pytest.warns(UserWarning, match="deprecated"):
            nt.set_default_tensor_type(nt.DoubleTensor)
        assert nt.get_default_dtype() is nt.float64 and nt.ones(1).dtype is nt.float64
        with pytest.warns(UserWarning):
            nt.set_default_tensor_type("torch.FloatTensor")
        assert nt.get_default_dtype() is nt.float32
        with pytest.raises(TypeError), pytest.warns(UserWarning):
            nt.set_default_tensor_type(nt.LongTensor)
    finally:
        nt.set_default_dtype(nt.float32)
