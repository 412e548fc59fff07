"""Comparison, logical and bitwise ops and closeness tests against PyTorch."""
import operator

import numpy as np
import pytest

import numbatorch as nt


def _torch():
    return pytest.importorskip("torch")


def _same(nb, th):
    """numbatorch result equals the torch one: value, dtype and (for tensors) shape."""
    torch = _torch()
    if isinstance(th, torch.Tensor):
        assert isinstance(nb, nt.Tensor)
        assert nb.dtype.name == str(th.dtype)[6:]
        np.testing.assert_array_equal(nb.numpy(), th.numpy())
    else:
        assert nb == th and type(nb) is type(th)


# Operands given as (values, dtype) for tensors, or as Python numbers.
OPERANDS = {
    "i64": ([1, 0, 2, -3], "int64"), "i32": ([1, 2, 2, 0], "int32"), "u8": ([1, 0, 200, 3], "uint8"),
    "i8": ([1, -1, 2, 0], "int8"), "b": ([True, False, True, False], "bool"),
    "b2": ([True, True, False, False], "bool"), "f32": ([1.0, 0.5, 2.0, np.nan], "float32"),
    "f64_0d": (2.0, "float64"), "f16": ([1.0, 0.0, 2.0, -1.5], "float16"), "i64_0d": (2, "int64"),
    "2": 2, "2.5": 2.5, "-1": -1, "True": True, "0": 0,
}


def _make(module, key):
    spec = OPERANDS[key]
    if isinstance(spec, tuple):
        return module.tensor(np.array(spec[0]).astype(spec[1]))
    return spec


PAIRS = [("i64", "f32"), ("i64", "2.5"), ("i64", "2"), ("b", "b2"), ("i32", "i64"), ("f32", "f64_0d"),
         ("u8", "i8"), ("b", "True"), ("f16", "2.5"), ("i32", "f64_0d"), ("u8", "-1"), ("b", "2"),
         ("i64_0d", "f32"), ("f16", "f32"), ("i64", "0")]


def _check(fn, a_key, b_key):
    torch = _torch()
    try:
        expected = fn(torch, _make(torch, a_key), _make(torch, b_key))
    except Exception as e:  # numbatorch must raise the same error class
        with pytest.raises(type(e)):
            fn(nt, _make(nt, a_key), _make(nt, b_key))
        return
    _same(fn(nt, _make(nt, a_key), _make(nt, b_key)), expected)


COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("a_key,b_key", PAIRS)
def test_comparison_functions_and_methods(name, a_key, b_key):
    _check(lambda m, a, b: getattr(m, name)(a, b), a_key, b_key)
    _check(lambda m, a, b: getattr(a, name)(b), a_key, b_key)


@pytest.mark.parametrize("op", [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge])
@pytest.mark.parametrize("a_key,b_key", PAIRS)
def test_comparison_operators_both_orders(op, a_key, b_key):
    _check(lambda m, a, b: op(a, b), a_key, b_key)
    _check(lambda m, a, b: op(b, a), a_key, b_key)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("a_key,b_key", [("i64", "f32"), ("b", "b2"), ("u8", "i8"), ("f32", "f64_0d"),
                                         ("i64_0d", "b")])
def test_logical_ops(name, a_key, b_key):
    _check(lambda m, a, b: getattr(m, name)(a, b), a_key, b_key)
    _check(lambda m, a, b: getattr(a, name)(b), a_key, b_key)


@pytest.mark.parametrize("key", ["i64", "b", "f32", "u8", "f64_0d"])
def test_logical_not_and_invert(key):
    _check(lambda m, a, b: m.logical_not(a), key, key)
    _check(lambda m, a, b: ~a, key, key)
    _check(lambda m, a, b: m.bitwise_not(a), key, key)


@pytest.mark.parametrize("name,op", [("bitwise_and", operator.and_), ("bitwise_or", operator.or_),
                                     ("bitwise_xor", operator.xor)])
@pytest.mark.parametrize("a_key,b_key", PAIRS)
def test_bitwise_ops_and_operators(name, op, a_key, b_key):
    _check(lambda m, a, b: getattr(m, name)(a, b), a_key, b_key)
    _check(lambda m, a, b: op(a, b), a_key, b_key)
    _check(lambda m, a, b: op(b, a), a_key, b_key)  # reflected when ``b`` is a number


@pytest.mark.parametrize("name,iop", [("bitwise_and_", operator.iand), ("bitwise_or_", operator.ior),
                                      ("bitwise_xor_", operator.ixor)])
@pytest.mark.parametrize("a_key,b_key", [("b", "b2"), ("i64", "i32"), ("i64", "2"), ("b", "True"), ("i32", "f32")])
def test_inplace_bitwise(name, iop, a_key, b_key):
    def via_method(m, a, b):
        before = id(a)
        out = getattr(a, name)(b)
        assert id(out) == before
        return a

    def via_operator(m, a, b):
        before = id(a)
        a = iop(a, b)
        assert id(a) == before
        return a

    _check(via_method, a_key, b_key)
    _check(via_operator, a_key, b_key)


@pytest.mark.parametrize("name", ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "logical_and_", "logical_or_",
                                  "logical_xor_", "greater_", "less_equal_"])
@pytest.mark.parametrize("other", ["tensor", "scalar"])
def test_inplace_comparisons_keep_dtype(name, other):
    torch = _torch()
    values = np.array([0.5, 1.0, 2.0, 0.0], dtype=np.float32)
    o = np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32)

    def run(m):
        t = m.tensor(values)
        arg = m.tensor(o) if other == "tensor" or name.startswith("logical") else 1.0
        assert getattr(t, name)(arg) is t
        return t

    _same(run(nt), run(torch))


def test_inplace_comparison_gives_zero_gradient():
    torch = _torch()
    for other in (1.0, "tensor"):
        x = nt.tensor([0.5, 1.0, 2.0], dtype=nt.float64, requires_grad=True)
        t = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
        y, u = x * 3, t * 3
        y.eq_(nt.tensor([1.5, 0.0, 6.0], dtype=nt.float64) if other == "tensor" else other)
        u.eq_(torch.tensor([1.5, 0.0, 6.0], dtype=torch.float64) if other == "tensor" else other)
        assert y.grad_fn.name() == u.grad_fn.name()
        np.testing.assert_array_equal(y.detach().numpy(), u.detach().numpy())
        y.backward(nt.ones(3, dtype=nt.float64))
        u.backward(torch.ones(3, dtype=torch.float64))
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_equality_with_foreign_objects_and_hashing():
    t = nt.tensor([1.0, 2.0])
    assert (t == None) is False  # noqa: E711
    assert (t != None) is True  # noqa: E711
    assert (t == "a") is False
    with pytest.raises(TypeError):
        t < None  # noqa: B015
    d = {t: 1}
    assert d[t] == 1 and hash(t) == hash(t) and len({t, nt.tensor([1.0, 2.0])}) == 2


def test_broadcast_error_message():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 0"):
        nt.ones(3) == nt.ones(4)  # noqa: B015


def test_bitwise_errors():
    with pytest.raises(NotImplementedError, match="\"bitwise_and_cpu\" not implemented for 'Float'"):
        nt.ones(2) & nt.ones(2)
    with pytest.raises(TypeError, match=r"~ \(operator.invert\) is only implemented on integer and Boolean-type"):
        ~nt.ones(2)


CLOSE_ARRAYS = [
    (np.array([1.0, 2.0, np.inf, np.nan, -np.inf, 1e-9]), np.array([1.0 + 1e-6, 2.1, np.inf, np.nan, np.inf, 0.0])),
    (np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32), np.array([1.0, 2.0 + 1e-5], dtype=np.float32)),
    (np.array([1, 2, 3]), np.array([1, 2, 4])),
    (np.array([True, False]), np.array([True, True])),
]


@pytest.mark.parametrize("a,b", CLOSE_ARRAYS)
@pytest.mark.parametrize("kwargs", [{}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.5}])
def test_isclose_allclose(a, b, kwargs):
    torch = _torch()
    _same(nt.isclose(nt.tensor(a), nt.tensor(b), **kwargs), torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs))
    _same(nt.allclose(nt.tensor(a), nt.tensor(b), **kwargs),
          torch.allclose(torch.tensor(a), torch.tensor(b), **kwargs))
    _same(nt.tensor(a).isclose(nt.tensor(b), **kwargs), torch.tensor(a).isclose(torch.tensor(b), **kwargs))
    _same(nt.tensor(a).allclose(nt.tensor(a), **kwargs), torch.tensor(a).allclose(torch.tensor(a), **kwargs))


def test_isclose_dtype_mismatch_error():
    with pytest.raises(RuntimeError, match="Long did not match Float"):
        nt.isclose(nt.tensor([1]), nt.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Float did not match Double"):
        nt.allclose(nt.ones(2), nt.ones(2).double())


@pytest.mark.parametrize("a,b", [(([1, 2], "int64"), ([1, 2], "float32")), (([1, 2], "int64"), ([1, 3], "int64")),
                                 (([1.0], "float32"), ([1.0, 1.0], "float32")),
                                 (([np.nan], "float32"), ([np.nan], "float32")),
                                 (([True, False], "bool"), ([1, 0], "uint8")),
                                 (([[1, 2]], "int32"), ([1, 2], "int32"))])
def test_equal(a, b):
    torch = _torch()
    x, y = np.array(a[0]).astype(a[1]), np.array(b[0]).astype(b[1])
    _same(nt.equal(nt.tensor(x), nt.tensor(y)), torch.equal(torch.tensor(x), torch.tensor(y)))
    _same(nt.tensor(x).equal(nt.tensor(y)), torch.tensor(x).equal(torch.tensor(y)))
