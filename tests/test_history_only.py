"""Nodes of ops whose backward never reads an input's data (tanh, sigmoid, relu, add, sub, neg, sum, mean, max
pools, mul and div by a constant) do not keep that data alive, and their first and second derivatives stay PyTorch's
(``_ops/_history_only.py``)."""
import gc
import weakref

import numpy as np
import pytest

import numbatorch as nt
from numbatorch._ops import _history_only
from numbatorch.autograd import gradcheck, gradgradcheck


@pytest.fixture(autouse=True)
def _stand_ins_for_small_tensors(monkeypatch):
    """These tests' small tensors take the stand-in path too (it starts at 64 KiB)."""
    monkeypatch.setattr(_history_only, "MIN_BYTES", 0)


def _chain(lib, z, weights):
    for a in weights:
        z = lib.tanh(z @ a) * 0.5 + z
    return z


_OPS = {"tanh": lambda h, x: h.tanh(), "sigmoid": lambda h, x: h.sigmoid(), "relu": lambda h, x: h.relu(),
        "add": lambda h, x: h + x, "mul_number": lambda h, x: h * 0.5,
        "mul_constant": lambda h, x: nt.full(h.shape, 0.5) * h, "sub": lambda h, x: h - x,
        "sum": lambda h, x: h.sum(), "sum_dim": lambda h, x: h.sum(1), "mean": lambda h, x: h.mean(),
        "mean_dim": lambda h, x: h.mean((0, 2), keepdim=True), "rsub": lambda h, x: 0.5 - h, "neg": lambda h, x: -h,
        "div_number": lambda h, x: h / 3.0,
        "max_pool2d": lambda h, x: nt.nn.functional.max_pool2d(h, 2),
        "adaptive_max_pool2d": lambda h, x: nt.nn.functional.adaptive_max_pool2d(h, 1)}


@pytest.mark.parametrize("op", sorted(_OPS))
def test_node_drops_data_backward_does_not_read(op, monkeypatch):
    x = nt.randn(2, 4, 6, requires_grad=True)
    hidden = x * 2.0  # a non-leaf: only the op's node refers to it after this function drops it
    data = weakref.ref(hidden._data)
    out = _OPS[op](hidden, x)
    del hidden
    gc.collect()
    assert data() is None
    (grad,) = nt.autograd.grad(out.sum(), x)
    monkeypatch.setattr(_history_only, "MIN_BYTES", np.inf)  # the same op with its node holding the input itself
    (expected,) = nt.autograd.grad(_OPS[op](x * 2.0, x).sum(), x)
    np.testing.assert_array_equal(grad.numpy(), expected.numpy())


def test_chain_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z0 = rng.standard_normal((6, 6))
    weights = [rng.standard_normal((6, 6)) / 3 for _ in range(3)]
    ws = [nt.tensor(w, requires_grad=True) for w in weights]
    tws = [torch.tensor(w, requires_grad=True) for w in weights]
    seed = rng.standard_normal((6, 6))
    _chain(nt, nt.tensor(z0, requires_grad=True), ws).backward(nt.tensor(seed))
    _chain(torch, torch.tensor(z0, requires_grad=True), tws).backward(torch.tensor(seed))
    for w, tw in zip(ws, tws):
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_second_derivatives_through_dropped_inputs():
    rng = np.random.default_rng(1)
    z0 = nt.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((4, 4)) / 2, requires_grad=True)
    assert gradcheck(lambda z, a: _chain(nt, z, [a, a]), (z0, w))
    assert gradgradcheck(lambda z, a: _chain(nt, z, [a, a]), (z0, w))
    assert gradgradcheck(lambda z, a: (z @ a).sigmoid() * (z @ a).relu(), (z0, w))
    assert gradgradcheck(lambda z, a: (0.5 - (z @ a) / 3.0 - z).tanh() / (z @ a), (z0, w))
    assert gradgradcheck(lambda z, a: ((z @ a).tanh().mean(0) * (z @ a).sum()).sum(), (z0, w))


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_second_derivative_after_inplace_form_matches_torch(op):
    torch = pytest.importorskip("torch")
    x0 = np.random.default_rng(2).standard_normal(5)

    def second(lib):
        x = lib.tensor(x0, requires_grad=True)
        y = getattr(x * 1.5, op + "_")()
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return h.detach().numpy()
    np.testing.assert_allclose(second(nt), second(torch), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("min_bytes", [0, _history_only.MIN_BYTES])
@pytest.mark.parametrize("op", ["mul_", "div_"])
def test_second_derivative_after_inplace_scaling_matches_torch(op, min_bytes, monkeypatch):
    """A product or quotient by a number reads neither the overwritten input nor its stand-in: create_graph through
    its in-place form works whether or not the node kept the input (Tensors under MIN_BYTES are kept as they are)."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(_history_only, "MIN_BYTES", min_bytes)
    x0 = np.random.default_rng(3).standard_normal(5)

    def derivatives(lib):
        x = lib.tensor(x0, requires_grad=True)
        y = getattr(x * x, op)(3.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach().numpy(), h.numpy()
    for ours, theirs in zip(derivatives(nt), derivatives(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_attention_head_average_gradients_match_torch():
    """MultiheadAttention's head-averaged weights hold the attention node's second output for its history only."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(shape) for shape in [(5, 2, 8), (24, 8), (24,), (8, 8), (8,)]]
    seeds = [rng.standard_normal((5, 2, 8)), rng.standard_normal((2, 5, 5))]

    def gradients(lib):
        q, w_in, b_in, w_out, b_out = [lib.tensor(a, requires_grad=True) for a in arrays]
        out, weights = lib.nn.functional.multi_head_attention_forward(
            q, q, q, 8, 2, w_in, b_in, None, None, False, 0.0, w_out, b_out, need_weights=True,
            average_attn_weights=True)
        loss = (out * lib.tensor(seeds[0])).sum() + (weights * lib.tensor(seeds[1])).sum()
        return [g.numpy() for g in lib.autograd.grad(loss, (q, w_in, b_in))]
    for ours, theirs in zip(gradients(nt), gradients(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
