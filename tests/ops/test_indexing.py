"""Indexing ops against PyTorch and finite differences: __getitem__/__setitem__, gather/scatter, index_*, masks."""
import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import check_grad, compare_with_torch

RNG = np.random.default_rng(2)
A = RNG.standard_normal((2, 3, 4))
M = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)
MASK = RNG.standard_normal((3, 4)) > 0
ROW_MASK = np.array([True, False, True])
IDX = np.array([[0, 2, 1, 0], [1, 1, 0, 2]])  # gather index along dim 0 of M-shaped data (repeats allowed)
PERM = np.array([[2, 0, 1, 1], [0, 1, 2, 0]])  # scatter index along dim 0: unique within each column


def _t(m, a):
    return m.tensor(a)


GETITEM = {
    "int": (lambda m, x: x[1], [A]),
    "neg_int": (lambda m, x: x[-1, -2], [A]),
    "slice": (lambda m, x: x[1:], [A]),
    "slice_step": (lambda m, x: x[:, ::2, 1:4:2], [A]),
    "full_slice": (lambda m, x: x[:], [A]),
    "none": (lambda m, x: x[None], [A]),
    "none_mid": (lambda m, x: x[:, None, 0], [A]),
    "int_none": (lambda m, x: x[0, None], [A]),
    "ellipsis": (lambda m, x: x[..., 1], [A]),
    "ellipsis_only": (lambda m, x: x[...], [A]),
    "int_slice": (lambda m, x: x[0, 1:], [A]),
    "slice_int": (lambda m, x: x[1:, 0], [A]),
    "all_ints": (lambda m, x: x[1, 2, 3], [A]),
    "list": (lambda m, x: x[[1, 0, 1]], [A]),
    "list_dim1": (lambda m, x: x[:, [2, 0, 2, 2]], [A]),
    "numpy_index": (lambda m, x: x[np.array([0, 2])], [M]),
    "tensor_index": (lambda m, x: x[m.tensor([[0, 1], [1, 1]])], [A]),
    "tensor_0d": (lambda m, x: x[m.tensor(1)], [A]),
    "two_adv": (lambda m, x: x[[0, 1, 1], [2, 0, 2]], [A]),
    "adv_split_by_slice": (lambda m, x: x[[0, 1], :, [3, 0]], [A]),
    "int_and_adv": (lambda m, x: x[1, :, [0, 0, 3]], [A]),
    "adv_broadcast": (lambda m, x: x[m.tensor([[0], [1]]), m.tensor([1, 2, 0])], [A]),
    "neg_adv": (lambda m, x: x[[-1, -2]], [M]),
    "mask": (lambda m, x: x[_t(m, MASK)], [M]),
    "mask_rows": (lambda m, x: x[_t(m, ROW_MASK)], [M]),
    "mask_dim1": (lambda m, x: x[:, _t(m, ROW_MASK)], [A]),
    "mask_and_none": (lambda m, x: x[None, _t(m, MASK)], [M]),
    "mask_and_int": (lambda m, x: x[1, _t(m, MASK)], [A]),
}


@pytest.mark.parametrize("name", list(GETITEM))
def test_getitem_matches_torch(name):
    fn, arrays = GETITEM[name]
    compare_with_torch(fn, *arrays)


@pytest.mark.parametrize("name", ["int", "slice_step", "none_mid", "two_adv", "adv_split_by_slice", "list",
                                  "mask_dim1", "int_and_adv", "tensor_index"])
def test_getitem_gradcheck(name):
    fn, arrays = GETITEM[name]
    check_grad(fn, *arrays)


def test_getitem_float32_and_int():
    for name in ("slice_step", "two_adv", "mask"):
        fn, arrays = GETITEM[name]
        compare_with_torch(fn, *[a.astype(np.float32) for a in arrays], tol=1e-6)
        compare_with_torch(fn, *[(a * 10).astype(np.int32) for a in arrays])


@pytest.mark.parametrize("index", [1, (0, slice(1, 3)), (Ellipsis, 2), (slice(None), None, 1)])
def test_basic_index_is_a_view(index):
    x = nt.tensor(A.copy())
    v = x[index]
    assert np.shares_memory(v.numpy(), x.numpy()) and v._version_counter is x._version_counter
    v.mul_(0.0)
    assert not x.numpy()[index].any()
    assert x._version == 1


def test_advanced_index_copies():
    x = nt.tensor(A.copy())
    v = x[[0, 1]]
    assert not np.shares_memory(v.numpy(), x.numpy())


# ---- __setitem__ ------------------------------------------------------------------------------------------
def _setter(index, value_is_tensor=True):
    def fn(m, x, v):
        y = x * 1.0
        y[index(m) if callable(index) else index] = v if value_is_tensor else 2.5
        return y
    return fn


SETITEM = {
    "int": (_setter(1), [A, M]),
    "slice_broadcast": (_setter((slice(None), 1)), [A, V]),
    "ellipsis": (_setter((Ellipsis, 0)), [A, RNG.standard_normal((2, 1))]),
    "adv": (_setter(lambda m: m.tensor([0, 2])), [M, V]),
    "adv_pairs": (_setter(([0, 1], [2, 3])), [M, RNG.standard_normal(2)]),
    "mask": (_setter(lambda m: m.tensor(MASK)), [M, np.array(0.5)]),
    "scalar": (_setter((0, slice(1, 3)), value_is_tensor=False), [M, V]),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_matches_torch(name):
    fn, arrays = SETITEM[name]
    compare_with_torch(fn, *arrays)


@pytest.mark.parametrize("name", ["int", "adv", "mask"])
def test_setitem_gradcheck(name):
    fn, arrays = SETITEM[name]
    check_grad(fn, *arrays)


def test_setitem_bumps_version_and_writes_through_views():
    x = nt.tensor(M.copy())
    row = x[1]
    x[1, 2] = 7.0
    assert row.numpy()[2] == 7.0 and x._version == 1 and row._version == 1
    row[0] = nt.tensor(3.0)
    assert x.numpy()[1, 0] == 3.0 and x._version == 2
    x[[0, 0]] = nt.tensor([1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(x.numpy()[0], 1.0)


def test_setitem_version_error_on_saved_tensor():
    torch = pytest.importorskip("torch")
    for lib in (nt, torch):
        w = lib.tensor(M.copy(), requires_grad=True)
        h = w * 1.0
        out = h * h  # saves h
        h[0] = 0.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.backward(lib.ones(3, 4, dtype=lib.float64))


def test_setitem_on_leaf_requiring_grad_raises():
    x = nt.tensor(M.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[0] = 1.0
    with nt.no_grad():
        x[0] = 1.0
    assert x.detach().numpy()[0].tolist() == [1.0] * 4


def test_setitem_int_tensor_casts_like_torch():
    torch = pytest.importorskip("torch")
    x, tx = nt.zeros(4, dtype=nt.int64), torch.zeros(4, dtype=torch.int64)
    x[1:3] = 2.7
    tx[1:3] = 2.7
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


# ---- gather / scatter / index_* / masks / take ------------------------------------------------------------
OPS = {
    "gather": (lambda m, x: x.gather(0, _t(m, IDX)), [M]),
    "gather_dim1_small": (lambda m, x: m.gather(x, 1, m.tensor([[0, 0], [3, 1]])), [M]),
    "scatter_src": (lambda m, x, s: x.scatter(0, _t(m, PERM), s), [M, RNG.standard_normal((2, 4))]),
    "scatter_value": (lambda m, x: m.scatter(x, 0, _t(m, PERM), 1.5), [M]),
    "scatter_add": (lambda m, x, s: x.scatter_add(0, _t(m, IDX), s), [M, RNG.standard_normal((2, 4))]),
    "scatter_reduce_sum": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "sum"), [M, M[:2] * 3]),
    "scatter_reduce_mean": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "mean"), [M, M[:2] * 3]),
    "scatter_reduce_mean_excl": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "mean", include_self=False),
                                 [M, M[:2] * 3]),
    "scatter_reduce_amax": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "amax"), [M, M[:2] * 3 + 0.1]),
    "scatter_reduce_amin_excl": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "amin", include_self=False),
                                 [M, M[:2] * 3 + 0.1]),
    "scatter_reduce_prod": (lambda m, x, s: x.scatter_reduce(0, _t(m, IDX), s, "prod"), [M, M[:2] * 3 + 0.1]),
    "index_select": (lambda m, x: x.index_select(1, m.tensor([2, 0, 2])), [A]),
    "index_select_fn": (lambda m, x: m.index_select(x, 0, m.tensor([2, 2])), [M]),
    "index_add": (lambda m, x, s: x.index_add(1, m.tensor([0, 2, 0]), s, alpha=2.0),
                  [M, RNG.standard_normal((3, 3))]),
    "index_fill": (lambda m, x: x.index_fill(1, m.tensor([0, -1]), -2.0), [M]),
    "index_fill_tensor": (lambda m, x, v: x.index_fill(0, m.tensor([1]), v), [M, np.array(0.3)]),
    "index_copy": (lambda m, x, s: x.index_copy(0, m.tensor([2, 0]), s), [M, RNG.standard_normal((2, 4))]),
    "index_put": (lambda m, x, v: x.index_put((m.tensor([0, 2]), m.tensor([1, 3])), v), [M, V[:2].copy()]),
    "index_put_acc": (lambda m, x, v: x.index_put((m.tensor([0, 0]),), v, accumulate=True), [M, V]),
    "masked_fill": (lambda m, x: x.masked_fill(_t(m, MASK), -1.0), [M]),
    "masked_fill_bcast": (lambda m, x: m.masked_fill(x, _t(m, MASK[0]), 4.0), [M]),
    "masked_fill_tensor": (lambda m, x, v: x.masked_fill(_t(m, MASK), v), [M, np.array(0.7)]),
    "masked_fill_grow": (lambda m, x: x.masked_fill(_t(m, MASK), 0.0), [V]),
    "masked_select": (lambda m, x: x.masked_select(_t(m, MASK)), [M]),
    "masked_select_bcast": (lambda m, x: m.masked_select(x, _t(m, ROW_MASK[:, None])), [M]),
    "masked_scatter": (lambda m, x, s: x.masked_scatter(_t(m, MASK), s), [M, RNG.standard_normal((3, 4))]),
    "take": (lambda m, x: x.take(m.tensor([[0, 5], [-1, 5]])), [M]),
    "take_along_dim": (lambda m, x: m.take_along_dim(x, m.tensor([[0], [3], [1]]), 1), [M]),
    "take_along_dim_bcast": (lambda m, x: x.take_along_dim(m.tensor([[0, 2]]), dim=1), [M]),
    "take_along_dim_flat": (lambda m, x: m.take_along_dim(x, m.tensor([7, 0, 7])), [M]),
    "put": (lambda m, x, s: x.put(m.tensor([1, 6]), s), [M, RNG.standard_normal(2)]),
    "put_acc": (lambda m, x, s: x.put(m.tensor([1, 1]), s, accumulate=True), [M, RNG.standard_normal(2)]),
}
LOOSE_NAMES = {"take_along_dim_bcast"}
NO_GRADCHECK = {"scatter_reduce_amax", "scatter_reduce_amin_excl"}  # piecewise: checked against torch only


@pytest.mark.parametrize("name", list(OPS))
def test_ops_match_torch(name):
    fn, arrays = OPS[name]
    compare_with_torch(fn, *arrays, names=name not in LOOSE_NAMES, tol=1e-10)


@pytest.mark.parametrize("name", [n for n in OPS if n not in NO_GRADCHECK])
def test_ops_gradcheck(name):
    fn, arrays = OPS[name]
    check_grad(fn, *arrays)


@pytest.mark.parametrize("name", ["gather", "scatter_add", "index_select", "masked_fill", "take"])
def test_ops_float32(name):
    fn, arrays = OPS[name]
    compare_with_torch(fn, *[a.astype(np.float32) for a in arrays], tol=1e-6)


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_has_no_derivative(reduce):
    torch = pytest.importorskip("torch")
    fn = lambda m, x, s: x.scatter(1, _t(m, IDX), s, reduce=reduce)  # noqa: E731
    compare_with_torch(fn, M, M * 2, grad=False)
    for lib in (nt, torch):
        x = lib.tensor(M, requires_grad=True)
        y = fn(lib, x, lib.tensor(M * 2))
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            y.backward(lib.ones(3, 4, dtype=lib.float64))


INPLACE = {
    "scatter_": lambda m, x: x.scatter_(0, _t(m, PERM), m.ones(2, 4, dtype=m.float64)),
    "scatter_value_": lambda m, x: x.scatter_(0, _t(m, PERM), 3.0),
    "scatter_add_": lambda m, x: x.scatter_add_(0, _t(m, IDX), m.ones(2, 4, dtype=m.float64)),
    "index_add_": lambda m, x: x.index_add_(0, m.tensor([1, 1]), m.ones(2, 4, dtype=m.float64)),
    "index_fill_": lambda m, x: x.index_fill_(1, m.tensor([2]), 0.0),
    "index_copy_": lambda m, x: x.index_copy_(1, m.tensor([2]), m.ones(3, 1, dtype=m.float64)),
    "index_put_": lambda m, x: x.index_put_((m.tensor([0, 2]),), m.tensor(9.0, dtype=m.float64)),
    "masked_fill_": lambda m, x: x.masked_fill_(_t(m, MASK), 5.0),
    "masked_scatter_": lambda m, x: x.masked_scatter_(_t(m, MASK), m.arange(12.0, dtype=m.float64)),
    "put_": lambda m, x: x.put_(m.tensor([0, 11]), m.tensor([1.0, 2.0], dtype=m.float64)),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_variants(name):
    torch = pytest.importorskip("torch")
    x, tx = nt.tensor(M.copy()), torch.tensor(M.copy())
    assert INPLACE[name](nt, x) is x
    INPLACE[name](torch, tx)
    np.testing.assert_allclose(x.numpy(), tx.numpy())
    assert x._version == 1


def test_inplace_variant_records_graph():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (nt, torch):
        w = lib.tensor(M.copy(), requires_grad=True)
        y = w * 2.0
        y.masked_fill_(lib.tensor(MASK), 0.0)
        assert y.grad_fn.name() == "MaskedFillBackward0"
        y.backward(lib.ones(3, 4, dtype=lib.float64))
        grads.append(w.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("as_tuple", [False, True])
def test_nonzero_and_argwhere(as_tuple):
    torch = pytest.importorskip("torch")
    for a in (M * MASK, np.array(3.0), np.zeros((2, 0))):
        ours, theirs = nt.tensor(a).nonzero(as_tuple=as_tuple), torch.tensor(a).nonzero(as_tuple=as_tuple)
        for o, t in zip(*(([ours], [theirs]) if not as_tuple else (ours, theirs))):
            assert o.dtype == nt.int64 and tuple(o.shape) == tuple(t.shape)
            np.testing.assert_array_equal(o.numpy(), t.numpy())
    np.testing.assert_array_equal(nt.argwhere(nt.tensor(M * MASK)).numpy(),
                                  torch.argwhere(torch.tensor(M * MASK)).numpy())


# ---- errors -----------------------------------------------------------------------------------------------
def _x(m):
    return m.arange(24.0).reshape(2, 3, 4)


ERRORS = [
    (lambda m: _x(m)[5], IndexError),
    (lambda m: _x(m)[-5], IndexError),
    (lambda m: _x(m)[0, 7], IndexError),
    (lambda m: _x(m)[m.tensor([5])], IndexError),
    (lambda m: _x(m)[:, [0, 3]], IndexError),
    (lambda m: _x(m)[:, 0, [1, 9]], IndexError),
    (lambda m: _x(m)[[0], [7]], IndexError),
    (lambda m: _x(m)[m.tensor(7)], IndexError),
    (lambda m: _x(m)[::-1], ValueError),
    (lambda m: _x(m)[0, 0, 0, 0], IndexError),
    (lambda m: _x(m)[m.ones(3, dtype=m.bool)], IndexError),
    (lambda m: _x(m)[:, m.ones(2, dtype=m.bool)], IndexError),
    (lambda m: _x(m)[m.tensor([1.0])], IndexError),
    (lambda m: m.tensor(1.0)[0], IndexError),
    (lambda m: _x(m).gather(1, m.tensor([[[7]]])), RuntimeError),
    (lambda m: _x(m).gather(1, m.tensor([[7]])), RuntimeError),
    (lambda m: _x(m).gather(1, m.zeros(3, 3, 4, dtype=m.int64)), RuntimeError),
    (lambda m: _x(m).gather(1, m.tensor([[[-1]]])), RuntimeError),
    (lambda m: _x(m).scatter(1, m.tensor([[[7]]]), 1.0), RuntimeError),
    (lambda m: _x(m).index_select(1, m.tensor([[1]])), IndexError),
    (lambda m: _x(m).index_select(1, m.tensor([5])), RuntimeError),
    (lambda m: _x(m).index_select(1, m.tensor([1.0])), RuntimeError),
    (lambda m: _x(m).index_add(1, m.tensor([5]), _x(m)[:, :1]), IndexError),
    (lambda m: _x(m).index_add(1, m.tensor([1]), _x(m)[:, :1].double()), RuntimeError),
    (lambda m: _x(m).index_fill(1, m.tensor([5]), 1.0), IndexError),
    (lambda m: _x(m).index_copy(1, m.tensor([-1]), _x(m)[:, :1]), IndexError),
    (lambda m: m.zeros(3).index_put_((m.tensor([5]),), m.tensor(1.0)), IndexError),
    (lambda m: _x(m).masked_fill(m.ones(4), 1.0), RuntimeError),
    (lambda m: _x(m).masked_fill(m.ones(4, dtype=m.bool), m.ones(2)), RuntimeError),
    (lambda m: _x(m).masked_select(m.ones(5, dtype=m.bool)), RuntimeError),
    (lambda m: _x(m).masked_scatter(m.ones(4, dtype=m.bool), m.ones(2)), RuntimeError),
    (lambda m: _x(m).take(m.tensor([24])), IndexError),
    (lambda m: _x(m).take(m.tensor([-25])), IndexError),
    (lambda m: m.zeros(3).__setitem__(5, 1.0), IndexError),
    (lambda m: m.zeros(3).__setitem__(slice(None), m.ones(4)), RuntimeError),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_error_messages_match_torch(i):
    torch = pytest.importorskip("torch")
    fn, exc = ERRORS[i]
    with pytest.raises(exc) as ours:
        fn(nt)
    with pytest.raises(exc) as theirs:
        fn(torch)
    assert str(ours.value) == str(theirs.value)


def test_take_along_dim_out_of_range_raises():
    # PyTorch reads out of bounds here without checking; numbatorch must raise instead of returning garbage.
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size 4"):
        nt.tensor(M).take_along_dim(nt.tensor([[5]]), 1)
