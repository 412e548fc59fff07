"""In-place view ops, cumsum_, fill_diagonal_, sum_to_size, resize_, *_scatter, bit shifts, apply_/map_ vs PyTorch."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))


def _run(lib, code):
    env = {"m": lib, "x": lib.tensor(X), "np": np, "out": None}
    exec(code, env)
    return env["out"]


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
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7)


CASES = [
    "y = x.clone(); y.unsqueeze_(1); out = y", "y = x.clone(); y.t_(); out = (y, y.shape)",
    "y = x.clone(); y.swapdims_(0, -1); y.unsqueeze_(-1); out = y", "y = x[:, :1].clone(); y.squeeze_(1); out = y",
    "y = x[None].clone(); y.squeeze_(); out = y", "y = x.clone(); y.transpose_(0, 1); out = y.contiguous()",
    "y = x.clone(); y.cumsum_(1); out = y", "y = x.clone(); y.cumprod_(0); out = y",
    "y = m.zeros(3, 3); y.fill_diagonal_(5); out = y", "y = m.zeros(7, 3); y.fill_diagonal_(2, wrap=True); out = y",
    "y = m.zeros(3, 5); y.fill_diagonal_(1); out = y", "y = m.zeros(2, 2, 2); y.fill_diagonal_(4); out = y",
    "out = x.sum_to_size(1, 4)", "out = x.sum_to_size(3, 1)", "out = x[None].sum_to_size(4)",
    "out = x[1:].storage_offset()", "out = x.is_pinned()",
    "y = x.clone(); y.resize_(2, 3); out = y", "y = x.clone(); y.resize_(2); y.resize_as_(m.ones(2)); out = y",
    "y = x.clone(); y.apply_(lambda v: v * 2 + 1); out = y", "y = x.clone(); y.map_(x[0], lambda a, b: a - b); out = y",
    "out = m.select_scatter(x, m.ones(4, dtype=m.float64), 0, -1)",
    "out = m.slice_scatter(x, m.ones(3, 2, dtype=m.float64), 1, 1, 4, 2)",
    "out = m.diagonal_scatter(x, m.ones(3, dtype=m.float64), 1)",
    "out = m.diagonal_scatter(x, m.ones(2, dtype=m.float64), -1)",
    "out = m.tensor([1, 2, 3]) << 2", "out = m.tensor([8, 64]) >> m.tensor([1, 3])",
    "out = m.bitwise_left_shift(m.tensor([1, 2], dtype=m.int32), 3)", "out = 1 << m.tensor([1, 2])",
    "y = m.tensor([1, 2]); y <<= 1; out = y", "out = m.bitwise_right_shift(m.tensor([-8], dtype=m.int8), 1)",
]


@pytest.mark.parametrize("code", CASES)
def test_matches_torch(code):
    _same(_run(nt, code), _run(torch, code))


def test_inplace_view_keeps_history_and_refuses_leaves():
    for lib in (torch, nt):
        x = lib.tensor(X, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            x.unsqueeze_(0)
    x = nt.tensor(X, requires_grad=True)
    y = x * 2
    y.unsqueeze_(0)
    assert tuple(y.shape) == (1, 3, 4)
    (y * nt.arange(4.0)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(2 * np.arange(4.0), (3, 4)))
    with pytest.raises(RuntimeError, match="cannot resize"):
        nt.zeros(2, requires_grad=True).resize_(3)
    for lib in (torch, nt):
        with pytest.raises(RuntimeError, match="accelerator"):
            lib.ones(2).pin_memory()


@pytest.mark.parametrize("name,args", [("select_scatter", (0, 1)), ("slice_scatter", (1, 0, 3)),
                                       ("diagonal_scatter", (1,))])
def test_scatter_gradients(name, args):
    src_shapes = {"select_scatter": (4,), "slice_scatter": (3, 3), "diagonal_scatter": (3,)}
    src = RNG.standard_normal(src_shapes[name])
    grads = []
    for lib in (torch, nt):
        a, b = lib.tensor(X, requires_grad=True), lib.tensor(src, requires_grad=True)
        (getattr(lib, name)(a, b, *args) * lib.tensor(np.cos(np.arange(12.0)).reshape(3, 4))).sum().backward()
        grads.append((a.grad.numpy(), b.grad.numpy()))
    for o, t in zip(grads[1], grads[0]):
        np.testing.assert_allclose(o, t)
    assert gradcheck(lambda a, b: getattr(nt, name)(a, b, *args),
                     (nt.tensor(X, requires_grad=True), nt.tensor(src, requires_grad=True)))
