"""Tensor properties, conversions, Python protocols, type promotion, pickling and printing vs PyTorch."""
import copy
import pickle

import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")


def _name(dtype):
    return str(dtype).split(".")[-1]


# ---- properties and conversions ---------------------------------------------------------------------
def test_shape_properties():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t, r = nt.from_numpy(a), torch.from_numpy(a)
    assert tuple(t.shape) == tuple(r.shape) and t.size() == tuple(r.size())
    assert t.size(1) == r.size(1) and t.size(-1) == r.size(-1)
    assert t.dim() == t.ndim == r.dim() and t.numel() == r.numel()
    assert t.stride() == r.stride() and t.is_contiguous()
    assert repr(t.shape) == repr(r.shape).replace("torch.", "numbatorch.")
    assert isinstance(t.shape, tuple)
    assert t.device.type == "cpu" and not t.is_cuda
    assert tuple(nt.ones(2, 3).T.shape) == (3, 2)
    assert tuple(t.mT.shape) == tuple(r.mT.shape)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)


def test_item_tolist_scalars():
    for data in ([[1.5, 2.0]], [3], 2.5, [True]):
        t, r = nt.tensor(data), torch.tensor(data)
        assert t.tolist() == r.tolist()
        if r.numel() == 1:
            assert t.item() == r.item() and type(t.item()) is type(r.item())
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        nt.ones(2).item()


def test_numpy_shares_memory_and_requires_grad_error():
    t = nt.zeros(3)
    arr = t.numpy()
    arr[0] = 4
    assert t.tolist()[0] == 4
    w = nt.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        w.numpy()
    assert w.detach().numpy() is not None
    assert np.asarray(t) is arr or np.shares_memory(np.asarray(t), arr)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_clone_copies_detach_shares():
    t = nt.ones(3, requires_grad=True)
    c = t.clone()
    assert c.requires_grad and c.grad_fn is not None and c.grad_fn.name() == "CloneBackward0"
    d = t.detach()
    assert not d.requires_grad and d.is_leaf
    d.numpy()[0] = 5
    assert t.detach().numpy()[0] == 5
    with nt.no_grad():
        c2 = t.clone()
    c2.numpy()[1] = 9
    assert t.detach().numpy()[1] == 1


def test_requires_grad_flags():
    t = nt.zeros(2)
    assert t.requires_grad_() is t and t.requires_grad and t.is_leaf
    t.requires_grad_(False)
    assert not t.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        nt.zeros(2, dtype=nt.int64).requires_grad_()
    y = nt.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    y2 = y.detach_()
    assert y2 is y and not y.requires_grad and y.grad_fn is None


def test_conversions_and_to():
    t = nt.tensor([1.7, -2.2])
    r = torch.tensor([1.7, -2.2])
    for method in ("float", "double", "half", "long", "int", "bool", "short", "char", "byte"):
        ours, theirs = getattr(t, method)(), getattr(r, method)()
        assert _name(ours.dtype) == _name(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert t.to(nt.float32) is t
    assert t.to("cpu") is t and t.cpu() is t
    assert t.to(nt.float64).dtype is nt.float64
    assert t.to("cpu", nt.float64).dtype is nt.float64
    assert t.to(nt.ones(1, dtype=nt.int32)).dtype is nt.int32
    assert t.type() == r.type()
    assert t.type(nt.float64).dtype is nt.float64
    assert t.type("torch.LongTensor").dtype is nt.int64
    assert t.type_as(nt.ones(1, dtype=nt.float64)).dtype is nt.float64
    g = nt.ones(2, requires_grad=True)
    assert g.double().grad_fn.name() == g.double().grad_fn.name() == "ToCopyBackward0"


def test_new_factories_keep_dtype():
    base = nt.ones(2, dtype=nt.float64)
    rbase = torch.ones(2, dtype=torch.float64)
    for ours, theirs in ((base.new_zeros(2, 3), rbase.new_zeros(2, 3)),
                         (base.new_ones((4,)), rbase.new_ones((4,))),
                         (base.new_full((2,), 7), rbase.new_full((2,), 7)),
                         (base.new_tensor([1, 2]), rbase.new_tensor([1, 2])),
                         (base.new_empty(3).fill_(1), rbase.new_empty(3).fill_(1)),
                         (base.new_zeros(2, dtype=nt.int32), rbase.new_zeros(2, dtype=torch.int32))):
        assert _name(ours.dtype) == _name(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert base.new_zeros(2, requires_grad=True).requires_grad


def test_python_protocols():
    t = nt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(t) == 2
    rows = list(iter(t))
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]
    assert bool(nt.tensor([1])) and not bool(nt.tensor(0.0))
    assert float(nt.tensor([2.5])) == 2.5 and int(nt.tensor(3.9)) == 3
    assert [10, 20, 30][nt.tensor(1)] == 20  # __index__
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(t)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(nt.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(nt.tensor(1.0))
    assert f"{nt.tensor(0.123456):.3f}" == "0.123"
    assert hash(t) != hash(t.clone()) and {t: 1}[t] == 1
    arr = np.array(t)
    np.testing.assert_array_equal(arr, [[1, 2], [3, 4]])


def test_numpy_array_on_the_left_defers_to_tensor():
    out = np.ones(2, dtype=np.float32) * nt.ones(2)
    assert isinstance(out, nt.Tensor)


# ---- type promotion ----------------------------------------------------------------------------------
_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
_SCALARS = [2, 2.5, True]
_INTEGRAL = {"int64", "int32", "int16", "int8", "uint8", "bool"}


def _make(mod, dtype, zero_dim=False):
    data = 1 if zero_dim else [1, 1]
    return mod.tensor(data, dtype=getattr(mod, dtype))


@pytest.mark.parametrize("op", ["add", "mul", "div"])
def test_promotion_tensor_tensor(op):
    mismatches = []
    for a in _DTYPES:
        for b in _DTYPES:
            if op == "div" and a in _INTEGRAL and b in _INTEGRAL:
                continue  # see test_integer_true_division_gives_default_float
            for zero_dim in (False, True):
                ours = getattr(nt, op)(_make(nt, a), _make(nt, b, zero_dim))
                theirs = getattr(torch, op)(_make(torch, a), _make(torch, b, zero_dim))
                if _name(ours.dtype) != _name(theirs.dtype):
                    mismatches.append((a, b, zero_dim, _name(ours.dtype), _name(theirs.dtype)))
                np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64))
    assert not mismatches


@pytest.mark.parametrize("op", ["add", "mul", "div", "radd", "rmul", "rdiv", "sub", "rsub"])
def test_promotion_tensor_scalar(op):
    mismatches = []
    for a in _DTYPES:
        for s in _SCALARS:
            if op in ("sub", "rsub") and (a == "bool" or s is True):
                continue  # see test_bool_subtraction_errors
            fns = {"add": lambda t: t + s, "mul": lambda t: t * s, "div": lambda t: t / s,
                   "radd": lambda t: s + t, "rmul": lambda t: s * t, "rdiv": lambda t: s / t,
                   "sub": lambda t: t - s, "rsub": lambda t: s - t}
            try:
                theirs = fns[op](_make(torch, a))
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    fns[op](_make(nt, a))
                continue
            ours = fns[op](_make(nt, a))
            if _name(ours.dtype) != _name(theirs.dtype):
                mismatches.append((a, s, _name(ours.dtype), _name(theirs.dtype)))
            np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64))
    assert not mismatches


def test_integer_true_division_gives_default_float():
    for a in sorted(_INTEGRAL):
        for b in sorted(_INTEGRAL):
            ours = nt.div(_make(nt, a), _make(nt, b))
            theirs = torch.div(_make(torch, a), _make(torch, b))
            assert _name(ours.dtype) == _name(theirs.dtype), (a, b)


def test_bool_subtraction_errors():
    cases = [lambda m, b: b - 2, lambda m, b: b - 2.5, lambda m, b: 2 - b, lambda m, b: m.tensor([1, 2]) - b,
             lambda m, b: b - m.tensor([1, 2]), lambda m, b: b - True, lambda m, b: m.rsub(b, 1), lambda m, b: b - b,
             lambda m, b: m.ones(2) - True, lambda m, b: True - m.ones(2, dtype=m.int64)]
    for case in cases:
        with pytest.raises(RuntimeError) as expected:
            case(torch, torch.tensor([True, False]))
        with pytest.raises(RuntimeError) as got:
            case(nt, nt.tensor([True, False]))
        assert str(got.value) == str(expected.value)


def test_promote_types_function():
    for a in _DTYPES:
        for b in _DTYPES:
            assert nt.promote_types(getattr(nt, a), getattr(nt, b)).name == \
                _name(torch.promote_types(getattr(torch, a), getattr(torch, b)))


def test_inplace_cannot_downcast():
    t = nt.ones(2, dtype=nt.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        t.add_(1.5)
    f = nt.ones(2)
    f.add_(nt.ones(2, dtype=nt.float64))  # float64 result into float32: allowed, like PyTorch
    assert f.dtype is nt.float32 and f.tolist() == [2.0, 2.0]


def test_default_dtype_switch():
    try:
        nt.set_default_dtype(nt.float64)
        assert nt.tensor([1.5]).dtype is nt.float64 and nt.ones(1).dtype is nt.float64
        assert (nt.tensor([1]) / 2).dtype is nt.float64
    finally:
        nt.set_default_dtype(nt.float32)
    assert nt.get_default_dtype() is nt.float32


# ---- pickling and copying ----------------------------------------------------------------------------
def test_pickle_roundtrip():
    t = nt.tensor([[1.0, 2.0]], dtype=nt.float64, requires_grad=True)
    back = pickle.loads(pickle.dumps(t))
    assert back.dtype is nt.float64 and back.requires_grad and back.tolist() == t.tolist()
    assert nt.float64 is pickle.loads(pickle.dumps(nt.float64))


def test_deepcopy_leaf_and_error_on_non_leaf():
    t = nt.ones(2, requires_grad=True)
    t.grad = nt.full((2,), 3.0)
    c = copy.deepcopy(t)
    assert c is not t and c.requires_grad and c.grad.tolist() == [3.0, 3.0]
    c.detach().numpy()[0] = 7
    assert t.tolist() == [1.0, 1.0]
    shared = [t, t]
    copied = copy.deepcopy(shared)
    assert copied[0] is copied[1]
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(t * 2)


# ---- printing ----------------------------------------------------------------------------------------
REPRS = [
    lambda m: m.tensor([[1.0, 2.0]]),
    lambda m: m.tensor(0.0005),
    lambda m: m.tensor([1, 2, 3]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([1.5, 2.0], dtype=m.float64),
    lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([1e-5, 1.0, 1e5]),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) + 1,
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True) - 1,
    lambda m: m.tensor([[1.0, 2.0]], requires_grad=True) @ m.tensor([[1.0], [2.0]]),
    lambda m: m.arange(2000.0),
    lambda m: m.zeros(0),
    lambda m: m.ones(2, 0),
    lambda m: m.tensor(float("nan")),
    lambda m: m.tensor([float("inf"), -float("inf"), 1.0]),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_repr_matches_torch(i):
    ours, theirs = repr(REPRS[i](nt)), repr(REPRS[i](torch)).replace("torch.", "numbatorch.")
    assert ours == theirs
    assert str(REPRS[i](nt)) == str(REPRS[i](torch)).replace("torch.", "numbatorch.")


def test_dtype_and_size_repr():
    assert repr(nt.float32) == "numbatorch.float32" and repr(nt.long) == "numbatorch.int64"
    assert repr(nt.Size([50, 3, 32, 32])) == "numbatorch.Size([50, 3, 32, 32])"


def test_seed_tutorial_ce_rce_prints(capsys):
    """Section 6.3.2 of the reference tutorial, run as written with ``import numbatorch as torch``."""
    torch_ = nt

    def ce(y, p):
        p = torch_.clamp(p, min=1e-4, max=1 - 1e-4)
        y = torch_.clamp(y, min=1e-4, max=1 - 1e-4)
        return -y * torch_.log(p) - (1 - y) * torch_.log(1 - p)

    def rce(y, p):
        return ce(p, y)

    for y_val, p_val in ((1.0, 0.8), (0.0, 0.8)):
        ours = rce(torch_.tensor(y_val), torch_.tensor(p_val)) / ce(torch_.tensor(y_val), torch_.tensor(p_val))
        ref = torch.clamp  # the same code in PyTorch gives the reference output
        ty, tp = torch.tensor(y_val), torch.tensor(p_val)
        tce = lambda y, p: -ref(y, min=1e-4, max=1 - 1e-4) * torch.log(ref(p, min=1e-4, max=1 - 1e-4)) \
            - (1 - ref(y, min=1e-4, max=1 - 1e-4)) * torch.log(1 - ref(p, min=1e-4, max=1 - 1e-4))
        theirs = tce(tp, ty) / tce(ty, tp)
        print(ours)
        assert str(ours) == str(theirs)
    assert capsys.readouterr().out == "tensor(8.2502)\ntensor(4.5786)\n"


def test_version_is_an_int_shared_with_views_like_torch():
    def versions(lib):
        base = lib.zeros(4, 3)
        view = base[1]
        other = base.clone()
        base.add_(1)
        view.mul_(2)
        base[0] = 5.0
        return [(type(t._version).__name__, t._version) for t in (base, view, other)]
    assert versions(nt) == versions(torch)
    with pytest.raises(AttributeError):
        nt.zeros(2)._version = 3


def test_data_has_a_version_counter_of_its_own_like_torch():
    def run(lib):
        w = lib.ones(3, requires_grad=True)
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * w  # saves w for x's gradient
        data = w.data
        data.mul_(0.5)  # hidden from autograd: backward reads the new values without a version error
        y.sum().backward()
        return x.grad.tolist(), w._version, data._version
    assert run(nt) == run(torch)
