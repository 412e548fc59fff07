"""In-place ops through views: the base's history is rebased (PyTorch's CopySlices), compared with PyTorch."""
import numpy as np
import pytest

import numbatorch as nt


def _run(lib, arrays, fn):
    """``fn(lib, *leaves)`` -> output; backward with a non-uniform weight; returns (output, leaves)."""
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *leaves)
    weight = lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)))
    (out * weight).sum().backward()
    return out, leaves


def _rebased(op):
    """y = x * 1 (a non-leaf), apply ``op(lib, y, *others)`` (an in-place op through a view), return y."""
    def fn(lib, x, *others):
        y = x * 1
        op(lib, y, *others)
        return y
    return fn


CASES = {
    "mul_row": ([(3, 4)], _rebased(lambda L, y: y[0].mul_(2))),
    "add_col": ([(3, 4), (3,)], _rebased(lambda L, y, z: y[:, 1].add_(z))),
    "copy_flat_slice": ([(3, 4)], _rebased(lambda L, y: y.view(-1)[0:3].copy_(L.zeros(3, dtype=L.float64)))),
    "copy_transposed_row": ([(3, 4), (3,)], _rebased(lambda L, y, w: y.t()[0].copy_(w))),
    "mul_stepped": ([(4, 6), (2, 3)], _rebased(lambda L, y, w: y[::2, 1::2].mul_(w))),
    "view_of_view": ([(2, 3, 4), (3,)], _rebased(lambda L, y, w: y[1].transpose(0, 1)[2].sub_(w))),
    "other_view_same_base": ([(3, 4)], _rebased(lambda L, y: y[0].add_(y[1]))),
    "base_as_operand": ([(3, 4)], _rebased(lambda L, y: (y[:, :].add_(y, alpha=2), y[1:].add_(y[:1])))),
    "exp_reads_output": ([(3, 4)], _rebased(lambda L, y: y[1:].exp_())),
    "twice": ([(3, 4), (4,)], _rebased(lambda L, y, w: (y[0].mul_(w), y[:, 0].mul_(3)))),
}


def _use_view_after(lib, x):
    y = x * 2
    v = y[1]
    v.mul_(3)
    return v * y.sum()


def _transposed_base(lib, x, w):
    y = (x * 1).t()  # a non-contiguous tensor: its root base is x * 1
    y[1].mul_(w)
    return y


CASES["use_view_after"] = ([(3, 4)], _use_view_after)
CASES["transposed_base"] = ([(3, 4), (3,)], _transposed_base)


def test_operand_computed_from_base_before_the_write():
    _compare(([(3, 4)], _rebased(lambda L, y: y[1:].mul_(y.sum()))))


def test_ops_recorded_before_an_inplace_op_keep_the_old_history():
    """``z = y + 2; y.mul_(3)``: z's gradient flows into y's history as it was when z was computed."""
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (nt, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = y + 2
        y.mul_(3)
        w = y * 1
        w.add_(w * 2)
        (z.sum() + w.sum()).backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    _compare(CASES[name])


def _compare(case):
    torch = pytest.importorskip("torch")
    shapes, fn = case
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours, our_leaves = _run(nt, arrays, fn)
    theirs, their_leaves = _run(torch, arrays, fn)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    for a, b in zip(our_leaves, their_leaves):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_grad_fn_names_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (nt, torch):
        x = lib.randn(3, 4, requires_grad=True)
        y = x * 1
        v = y[:, 1]
        v.add_(1)
        assert type(y.grad_fn).__name__ == "CopySlices"
        assert type(v.grad_fn).__name__ == "AsStridedBackward0"
        assert v._base is y


def test_base_without_grad_takes_history_from_src():
    torch = pytest.importorskip("torch")
    w_np = np.random.default_rng(1).standard_normal(4)
    results = []
    for lib in (nt, torch):
        y = lib.zeros(3, 4, dtype=lib.float32)
        w = lib.tensor(w_np, dtype=lib.float32, requires_grad=True)
        y[1].copy_(w)
        assert y.requires_grad and type(y.grad_fn).__name__ == "CopySlices"
        (y * lib.arange(12.0).reshape(3, 4)).sum().backward()
        results.append((y.detach().numpy().copy(), w.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_view_of_leaf_raises_like_torch():
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (nt, torch):
        x = lib.randn(3, 4, requires_grad=True)
        with pytest.raises(RuntimeError) as err:
            x[0].mul_(2)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_view_of_leaf_under_no_grad_and_detached_views_still_write():
    x = nt.zeros(3, 4, requires_grad=True)
    with nt.no_grad():
        x[0].add_(1)
    x.data[1].add_(2)
    x.detach()[2].add_(3)
    assert x.grad_fn is None and x.is_leaf
    np.testing.assert_array_equal(x.detach().numpy(), np.array([[1.0] * 4, [2.0] * 4, [3.0] * 4]))


def test_expanded_view_raises_like_torch():
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (nt, torch):
        y = lib.randn(3, 4, requires_grad=True) * 1
        with pytest.raises(RuntimeError) as err:
            y[0:1].expand(3, 4).add_(1)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_split_output_raises_like_torch():
    torch = pytest.importorskip("torch")
    messages = []
    for lib in (nt, torch):
        y = lib.randn(4, 3, requires_grad=True) * 1
        with pytest.raises(RuntimeError) as err:
            y.split(2)[0].mul_(2)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_advanced_index_is_a_copy():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (nt, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = x * 1
        y[[0, 2]].mul_(5)  # writes into a copy: y is untouched
        assert type(y.grad_fn).__name__ == "MulBackward0"
        y.sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_old_view_operation_saved_before_write_raises_version_error():
    y = nt.randn(3, 4, requires_grad=True) * 1
    v = y[0]
    z = v * v
    y[0].add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradcheck_and_dtype(dtype):
    def fn(x, w):
        y = x * 1
        y.t()[1:, ::2].mul_(w)
        y[:, 0].add_(w.sum())
        return y

    x = nt.randn(3, 4, dtype=nt.float64, requires_grad=True)
    w = nt.randn(3, 2, dtype=nt.float64, requires_grad=True)
    if dtype == "float64":
        assert nt.autograd.gradcheck(fn, (x, w))
    else:
        x32 = x.detach().float().requires_grad_()
        w32 = w.detach().float().requires_grad_()
        out = fn(x32, w32)
        out.sum().backward()
        assert out.dtype == nt.float32 and x32.grad.dtype == nt.float32 and w32.grad.dtype == nt.float32


def test_non_contiguous_root_base():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    storage = rng.standard_normal((6, 4))
    w_np = rng.standard_normal(3)
    results = []
    for lib in (nt, torch):
        y = lib.from_numpy(storage.copy()[::2].T)  # strided, transposed memory that owns no autograd base
        w = lib.tensor(w_np, requires_grad=True)
        y[1:3, 1].mul_(w[1:]).add_(w[0])
        (y * lib.tensor(np.arange(12.0).reshape(4, 3))).sum().backward()
        results.append((y.detach().numpy().copy(), w.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_detached_tensor_copy_from_grad_src_leaves_base_alone():
    torch = pytest.importorskip("torch")
    for lib in (nt, torch):
        buf = lib.zeros(4)
        p = lib.randn(4, requires_grad=True)
        buf.data.copy_(p)
        assert not buf.requires_grad and buf.grad_fn is None
        np.testing.assert_array_equal(buf.numpy(), p.detach().numpy())


def test_view_taken_before_an_inplace_op_on_its_base_reads_the_new_values_history():
    """``v = y[0]; y.mul_(2)``: v shows the new values, and its gradient goes through the multiplication."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (nt, torch):
        x = lib.arange(6.0).reshape(2, 3).requires_grad_()
        y = x * 1
        v = y[0]
        y.mul_(2)
        (v * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        results.append((v.tolist(), x.grad.tolist()))
    assert results[0] == results[1]


def test_detached_tensor_made_to_require_grad_is_a_leaf():
    x = nt.ones(3, requires_grad=True)
    d = (x * 2).detach().requires_grad_()
    (d * 3).sum().backward()
    assert d.is_leaf and d.grad.tolist() == [3.0, 3.0, 3.0] and x.grad is None


def test_constant_fills_cut_the_gradient_to_the_overwritten_values():
    """``zero_``/``fill_`` on tensors in the graph, directly and through a view, as PyTorch computes them."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (nt, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 2
        kept = y * 1
        y.zero_()
        w = x * 3
        w[0].fill_(5.0)
        (y.sum() + kept.sum() + (w * w).sum()).backward()
        results.append((x.grad.tolist(), y.requires_grad, w.tolist()))
    assert results[0] == results[1]
