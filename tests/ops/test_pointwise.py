"""Elementwise math ops: values, gradients and dtypes against PyTorch and finite differences."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def _torch():
    return pytest.importorskip("torch")


def _pair(arr, requires_grad=True):
    """The same values as a numbatorch and a torch tensor (float arrays keep their dtype)."""
    torch = _torch()
    a = nt.tensor(arr)
    b = torch.tensor(arr)
    if requires_grad:
        a.requires_grad_(True)
        b.requires_grad_(True)
    return a, b


def _uniform(low, high, shape=(2, 3)):
    return RNG.uniform(low, high, size=shape)


def _compare(nb_fn, th_fn, arrays, rtol=1e-7, atol=1e-10):
    """Forward values, grad_fn name and gradients (for a random upstream gradient) match PyTorch."""
    torch = _torch()
    pairs = [_pair(a) for a in arrays]
    nb_out = nb_fn(*[p[0] for p in pairs])
    th_out = th_fn(*[p[1] for p in pairs])
    np.testing.assert_allclose(nb_out.detach().numpy(), th_out.detach().numpy(), rtol=rtol, atol=atol)
    assert nb_out.dtype.name == str(th_out.dtype).replace("torch.", "")
    assert nb_out.grad_fn.name() == th_out.grad_fn.name()
    upstream = RNG.standard_normal(tuple(th_out.shape))
    nb_out.backward(nt.tensor(upstream))
    th_out.backward(torch.tensor(upstream))
    for (a, b) in pairs:
        if b.grad is None:
            assert a.grad is None
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(force=True), rtol=rtol, atol=atol)


# (name, low, high, kwargs): inputs drawn from [low, high), away from kinks and domain edges.
UNARY = [
    ("abs", 0.1, 2.0, {}), ("exp", -2, 2, {}), ("exp2", -2, 2, {}), ("expm1", -2, 2, {}),
    ("log", 0.2, 3, {}), ("log2", 0.2, 3, {}), ("log10", 0.2, 3, {}), ("log1p", -0.5, 3, {}),
    ("sqrt", 0.2, 3, {}), ("rsqrt", 0.2, 3, {}), ("square", -2, 2, {}), ("reciprocal", 0.3, 2, {}),
    ("sin", -3, 3, {}), ("cos", -3, 3, {}), ("tan", -1.2, 1.2, {}), ("asin", -0.9, 0.9, {}),
    ("arcsin", -0.9, 0.9, {}), ("acos", -0.9, 0.9, {}), ("arccos", -0.9, 0.9, {}), ("atan", -3, 3, {}),
    ("arctan", -3, 3, {}), ("sinh", -2, 2, {}), ("cosh", -2, 2, {}), ("tanh", -3, 3, {}),
    ("asinh", -2, 2, {}), ("acosh", 1.2, 3, {}), ("atanh", -0.9, 0.9, {}), ("sigmoid", -4, 4, {}),
    ("relu", 0.1, 2, {}), ("erf", -2, 2, {}), ("erfc", -2, 2, {}), ("erfinv", -0.95, 0.95, {}),
    ("sinc", 0.1, 2, {}), ("logit", 0.05, 0.95, {}), ("logit", 0.05, 0.95, {"eps": 0.2}),
    ("clamp", -2, 2, {"min": -0.5, "max": 0.7}), ("clip", -2, 2, {"min": -0.5}),
    ("clamp", -2, 2, {"max": 0.7}), ("clamp_min", -2, 2, {"min": 0.3}), ("clamp_max", -2, 2, {"max": 0.3}),
    ("frac", -3, 3, {}), ("nan_to_num", -2, 2, {}), ("absolute", 0.1, 2, {}),
]


@pytest.mark.parametrize("name,low,high,kwargs", UNARY)
def test_unary_matches_torch_and_gradcheck(name, low, high, kwargs):
    torch = _torch()
    arr = _uniform(low, high)
    _compare(lambda t: getattr(nt, name)(t, **kwargs), lambda t: getattr(torch, name)(t, **kwargs), [arr])
    x = nt.tensor(arr, requires_grad=True)
    assert gradcheck(lambda t: getattr(nt, name)(t, **kwargs), (x,))
    # Method form and float32 values.
    x32, t32 = _pair(arr.astype(np.float32), requires_grad=False)
    out = getattr(x32, name)(**kwargs)
    assert out.dtype is nt.float32
    np.testing.assert_allclose(out.numpy(), getattr(t32, name)(**kwargs).numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("sign", {}), ("sgn", {}), ("floor", {}), ("ceil", {}), ("round", {}),
                                         ("round", {"decimals": 2}), ("round", {"decimals": -1}),
                                         ("trunc", {}), ("fix", {})])
def test_piecewise_constant_ops_have_zero_gradient(name, kwargs):
    torch = _torch()
    arr = np.array([-2.5, -1.7, -0.5, 0.0, 0.5, 1.5, 2.5, 12.35, 15.0, 25.0, 0.125, -7.45])
    _compare(lambda t: getattr(nt, name)(t, **kwargs), lambda t: getattr(torch, name)(t, **kwargs), [arr])


BINARY = [("atan2", (-2, 2), (-2, 2)), ("arctan2", (-2, 2), (0.5, 2)), ("hypot", (-2, 2), (-2, 2)),
          ("logaddexp", (-3, 3), (-3, 3)), ("logaddexp2", (-3, 3), (-3, 3)), ("xlogy", (-2, 2), (0.2, 3)),
          ("maximum", (-2, 2), (-2, 2)), ("minimum", (-2, 2), (-2, 2)), ("fmax", (-2, 2), (-2, 2)),
          ("fmin", (-2, 2), (-2, 2))]


@pytest.mark.parametrize("name,range_a,range_b", BINARY)
def test_binary_matches_torch_and_gradcheck(name, range_a, range_b):
    torch = _torch()
    a, b = _uniform(*range_a, shape=(2, 3)), _uniform(*range_b, shape=(3,))  # broadcasting
    _compare(getattr(nt, name), getattr(torch, name), [a, b])
    x, y = nt.tensor(a, requires_grad=True), nt.tensor(b, requires_grad=True)
    assert gradcheck(getattr(nt, name), (x, y))
    # Only one operand requiring grad.
    x, _ = _pair(a)
    out = getattr(x, name)(nt.tensor(b))
    out.backward(nt.ones_like(out))
    assert x.grad.shape == x.shape


def test_xlogy_with_scalars_and_zero():
    torch = _torch()
    arr = np.array([0.0, 0.5, 2.0, 0.0])
    _compare(lambda t: nt.xlogy(t, 3.0), lambda t: torch.xlogy(t, 3.0), [arr])
    _compare(lambda t: nt.xlogy(2.0, t), lambda t: torch.xlogy(2.0, t), [arr + 0.5])
    x = nt.tensor([0.0, 1.0, 0.0]).double()
    y = nt.tensor([0.0, 0.0, float("nan")]).double()
    expected = torch.xlogy(torch.tensor(x.numpy()), torch.tensor(y.numpy())).numpy()
    np.testing.assert_array_equal(nt.xlogy(x, y).numpy(), expected)


def test_ties_and_nan_route_gradients_like_torch():
    torch = _torch()
    a = np.array([0.0, 0.5, 1.0, 1.5, -1.0, np.nan, 2.0])
    b = np.array([0.0, 0.2, 1.0, 2.0, 0.0, 1.0, np.nan])
    for name in ("maximum", "minimum", "fmax", "fmin"):
        nb_out = getattr(nt, name)(*(t for t in (nt.tensor(a), nt.tensor(b))))
        np.testing.assert_array_equal(nb_out.numpy(), getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy())
    fin_a, fin_b = a[:5], b[:5]
    for name in ("maximum", "minimum", "fmax", "fmin"):
        _compare(getattr(nt, name), getattr(torch, name), [fin_a, fin_b])
    lo = np.array([0.0, 0.2, 1.0, 2.0, 0.0])
    hi = np.array([1.0, 0.5, 1.0, 1.0, 0.5])
    _compare(lambda x, l, h: nt.clamp(x, l, h), lambda x, l, h: torch.clamp(x, l, h), [fin_a, lo, hi])
    _compare(lambda x: nt.clamp(x, 0.0, 1.0), lambda x: torch.clamp(x, 0.0, 1.0), [fin_a])


CLAMP_VARIANTS = {
    "both": lambda m, t, lo, hi: m.clamp(t, lo, hi),
    "min": lambda m, t, lo, hi: m.clamp(t, min=lo),
    "max": lambda m, t, lo, hi: m.clip(t, max=hi),
    "clamp_min": lambda m, t, lo, hi: m.clamp_min(t, lo),
    "clamp_max": lambda m, t, lo, hi: m.clamp_max(t, hi),
    "lo_above_hi": lambda m, t, lo, hi: m.clamp(t, hi, lo),
}


@pytest.mark.parametrize("variant", sorted(CLAMP_VARIANTS))
def test_clamp_with_tensor_bounds(variant):
    torch = _torch()
    fn = CLAMP_VARIANTS[variant]
    arrays = [_uniform(-2, 2, (2, 3)), _uniform(-1, 0, (3,)), _uniform(0, 1, (2, 1))]
    _compare(lambda *t: fn(nt, *t), lambda *t: fn(torch, *t), arrays)
    assert gradcheck(lambda *t: fn(nt, *t), [nt.tensor(a, requires_grad=True) for a in arrays])


def test_clamp_mixed_tensor_and_number_bounds():
    torch = _torch()
    x, lo = _uniform(-2, 2, (2, 3)), _uniform(-1, 0, (3,))
    _compare(lambda t, a: nt.clamp(t, a, 0.5),
             lambda t, a: torch.clamp(t, a, torch.tensor(0.5, dtype=torch.float64)), [x, lo])


def test_clamp_errors_and_dtypes():
    torch = _torch()
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        nt.clamp(nt.ones(2))
    i = nt.tensor([1, 5, -3])
    assert nt.clamp(i, 0, 2).dtype is nt.int64
    assert nt.clamp(i, 0.5).dtype is nt.float32
    np.testing.assert_array_equal(nt.clamp(i, 0.5, 2.5).numpy(),
                                  torch.clamp(torch.tensor([1, 5, -3]), 0.5, 2.5).numpy())
    with pytest.raises(NotImplementedError):
        nt.clamp(nt.tensor([True]), True, True)


def test_where_forms():
    torch = _torch()
    c = np.array([[True, False, True], [False, False, True]])
    a, b = _uniform(-1, 1, (2, 3)), _uniform(-1, 1, (3,))
    _compare(lambda x, y: nt.where(nt.tensor(c), x, y), lambda x, y: torch.where(torch.tensor(c), x, y), [a, b])
    _compare(lambda x: nt.where(nt.tensor(c), x, 0.0), lambda x: torch.where(torch.tensor(c), x, 0.0), [a])
    _compare(lambda y: nt.where(nt.tensor(c), 2.0, y), lambda y: torch.where(torch.tensor(c), 2.0, y), [b])
    _compare(lambda x, y: x.where(nt.tensor(c), y), lambda x, y: x.where(torch.tensor(c), y), [a, b])
    assert gradcheck(lambda x, y: nt.where(nt.tensor(c), x, y),
                     (nt.tensor(a, requires_grad=True), nt.tensor(b, requires_grad=True)))
    for x, y in ((1.0, 0.0), (1, 0), (True, False), (nt.tensor([1, 2, 3]), 2.5)):
        tx = torch.tensor(x.numpy()) if isinstance(x, nt.Tensor) else x
        assert nt.where(nt.tensor(c), x, y).dtype.name == str(torch.where(torch.tensor(c), tx, y).dtype)[6:]
    nb = nt.where(nt.tensor(c))
    th = torch.where(torch.tensor(c))
    assert len(nb) == len(th) and all(np.array_equal(p.numpy(), q.numpy()) for p, q in zip(nb, th))
    assert nb[0].dtype is nt.int64
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, but got a tensor "
                                           "with dtype Float"):
        nt.where(nt.ones(2), nt.ones(2), nt.zeros(2))


@pytest.mark.parametrize("weight", [0.3, 0.8, "tensor"])
def test_lerp(weight):
    torch = _torch()
    a, b = _uniform(-1, 1, (2, 3)), _uniform(-1, 1, (3,))
    if weight == "tensor":
        w = RNG.uniform(-0.5, 1.5, size=(2, 3))
        _compare(nt.lerp, torch.lerp, [a, b, w])
        assert gradcheck(nt.lerp, [nt.tensor(v, requires_grad=True) for v in (a, b, w)])
    else:
        _compare(lambda x, y: nt.lerp(x, y, weight), lambda x, y: torch.lerp(x, y, weight), [a, b])
        assert gradcheck(lambda x, y: x.lerp(y, weight), [nt.tensor(v, requires_grad=True) for v in (a, b)])
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        nt.lerp(nt.ones(2), nt.ones(2).double(), 0.5)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, -0.5])
def test_addcmul_addcdiv(name, value):
    torch = _torch()
    arrays = [_uniform(-1, 1, (2, 3)), _uniform(-1, 1, (3,)), _uniform(0.5, 1.5, (2, 1))]
    _compare(lambda *t: getattr(nt, name)(*t, value=value), lambda *t: getattr(torch, name)(*t, value=value),
             arrays)
    assert gradcheck(lambda *t: getattr(nt, name)(*t, value=value),
                     [nt.tensor(v, requires_grad=True) for v in arrays])


def test_addcdiv_integer_error_and_addcmul_promotion():
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        nt.addcdiv(nt.tensor([1]), nt.tensor([1]), nt.tensor([2]))
    assert nt.addcmul(nt.tensor([1]), nt.tensor([2]), nt.tensor([0.5])).dtype is nt.float32


def test_erfinv_tails_and_special_values():
    torch = _torch()
    ys = np.concatenate([np.linspace(-1, 1, 401), 1 - np.logspace(-16, -1, 40), -1 + np.logspace(-16, -1, 40),
                         [np.nan, 1.5, -2.0, 0.0]])
    expected = torch.erfinv(torch.tensor(ys)).numpy()
    np.testing.assert_allclose(nt.erfinv(nt.tensor(ys)).numpy(), expected, rtol=1e-13, atol=0)
    y32 = ys.astype(np.float32)
    np.testing.assert_allclose(nt.erfinv(nt.tensor(y32)).numpy(), torch.erfinv(torch.tensor(y32)).numpy(),
                               rtol=1e-5)


def test_large_inputs_use_parallel_kernels():
    torch = _torch()
    arr = RNG.uniform(-0.99, 0.99, size=(1 << 16) + 3)
    for name in ("sigmoid", "erf", "erfc", "erfinv", "tanh"):
        x, t = _pair(arr)
        out, ref = getattr(nt, name)(x), getattr(torch, name)(t)
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-15)
        out.backward(nt.ones_like(out))
        ref.backward(torch.ones_like(ref))
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_float16_inputs():
    torch = _torch()
    arr = np.array([-2.0, -0.5, 0.0, 0.25, 3.0], dtype=np.float16)
    for name in ("sigmoid", "erf", "exp", "tanh", "relu", "floor"):
        out = getattr(nt, name)(nt.tensor(arr))
        ref = getattr(torch, name)(torch.tensor(arr))
        assert out.dtype is nt.float16
        np.testing.assert_allclose(out.numpy().astype(np.float32), ref.numpy().astype(np.float32), rtol=2e-3,
                                   atol=1e-3)


def test_float_class_tests_and_nan_to_num():
    torch = _torch()
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0])
    for dtype in (np.float64, np.float32, np.int64, np.uint8, np.bool_):
        arr = specials.astype(dtype) if dtype in (np.float64, np.float32) else np.array([0, 1, 3]).astype(dtype)
        for name in ("isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit", "nan_to_num",
                     "sign"):
            out = getattr(nt, name)(nt.tensor(arr))
            ref = getattr(torch, name)(torch.tensor(arr))
            assert out.dtype.name == str(ref.dtype)[6:], (name, dtype)
            np.testing.assert_array_equal(out.numpy(), ref.numpy())
    arr = specials.astype(np.float32)
    for kwargs in ({"nan": 1.0}, {"posinf": 5.0, "neginf": -5.0}):
        np.testing.assert_array_equal(nt.nan_to_num(nt.tensor(arr), **kwargs).numpy(),
                                      torch.nan_to_num(torch.tensor(arr), **kwargs).numpy())
    _compare(nt.nan_to_num, torch.nan_to_num, [np.array([np.nan, np.inf, -np.inf, 1.0])])


def test_heaviside():
    torch = _torch()
    x = np.array([-1.0, 0.0, 2.0, np.nan])
    v = np.array([0.5])
    np.testing.assert_array_equal(nt.heaviside(nt.tensor(x), nt.tensor(v)).numpy(),
                                  torch.heaviside(torch.tensor(x), torch.tensor(v)).numpy())
    with pytest.raises(RuntimeError, match="heaviside is not yet implemented for tensors with different dtypes"):
        nt.heaviside(nt.ones(2), nt.ones(2).double())
    out = nt.heaviside(nt.tensor(x, requires_grad=True), nt.tensor(v))
    assert out.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
        out.backward(nt.ones_like(out))


UNARY_DTYPE_OPS = ["abs", "exp", "log", "sqrt", "rsqrt", "square", "sin", "tanh", "sigmoid", "relu", "erf",
                   "erfinv", "reciprocal", "sinc", "logit", "sign", "sgn", "floor", "ceil", "round", "trunc",
                   "frac", "nan_to_num", "exp2", "expm1", "log1p", "asin", "atan"]


@pytest.mark.parametrize("name", UNARY_DTYPE_OPS)
def test_unary_result_dtypes_match_torch(name):
    torch = _torch()
    for dtype in ("int64", "int32", "uint8", "bool", "float16", "float64"):
        values = np.array([1, 0, 1]).astype(dtype)
        try:
            expected = getattr(torch, name)(torch.tensor(values)).dtype
        except Exception as e:  # the same error class must be raised
            with pytest.raises(type(e)):
                getattr(nt, name)(nt.tensor(values))
            continue
        assert getattr(nt, name)(nt.tensor(values)).dtype.name == str(expected)[6:], (name, dtype)


def _operands(case, module):
    """Operand pairs of mixed kinds (the same for numbatorch and torch)."""
    mk = lambda v, d: module.tensor(np.array(v).astype(d))  # noqa: E731
    return {
        "i64,f32": (mk([1, 0, 2], "int64"), mk([1, 0, 2], "float32")),
        "b,b": (mk([True, False, True], "bool"), mk([True, True, False], "bool")),
        "i32,i64": (mk([1, 0, 2], "int32"), mk([3, 0, 2], "int64")),
        "f32,f64_0d": (mk([1, 0, 2], "float32"), mk(2.0, "float64")),
        "u8,i8": (mk([1, 0, 2], "uint8"), mk([1, -1, 2], "int8")),
        "i32,f64_0d": (mk([1, 0, 2], "int32"), mk(2.0, "float64")),
        "f16,f32": (mk([1, 0, 2], "float16"), mk([1, 3, 2], "float32")),
    }[case]


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "logaddexp", "xlogy",
                                  "heaviside", "where", "clamp_min", "clamp_max", "clamp", "addcmul", "addcdiv",
                                  "lerp"])
def test_binary_result_dtypes_match_torch(name):
    torch = _torch()

    def call(module, a, b):
        if name == "where":
            return module.where(module.tensor([True, False, True]), a, b)
        if name == "clamp":
            return module.clamp(a, b, b)
        if name in ("addcmul", "addcdiv"):
            return getattr(module, name)(a, a, b)
        if name == "lerp":
            return module.lerp(a, b, 0.5)
        return getattr(module, name)(a, b)

    for case in ("i64,f32", "b,b", "i32,i64", "f32,f64_0d", "u8,i8", "i32,f64_0d", "f16,f32"):
        try:
            expected = call(torch, *_operands(case, torch))
        except Exception as e:
            with pytest.raises(type(e)):
                call(nt, *_operands(case, nt))
            continue
        out = call(nt, *_operands(case, nt))
        assert out.dtype.name == str(expected.dtype)[6:], (name, case)
        np.testing.assert_allclose(out.numpy().astype(np.float64), expected.numpy().astype(np.float64),
                                   rtol=1e-3, equal_nan=True)


def test_scalar_arguments_of_tensor_only_ops_raise_type_error():
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 2\) must be Tensor, not float"):
        nt.maximum(nt.ones(2), 2.5)
    with pytest.raises(TypeError):
        nt.atan2(1.0, nt.ones(2))


def test_broadcast_error_names_sizes():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 1"):
        nt.maximum(nt.ones(2, 3), nt.ones(2, 4))


# ---- in-place ----------------------------------------------------------------------------------------
INPLACE = [("exp_", (), -1, 1), ("sigmoid_", (), -2, 2), ("tanh_", (), -2, 2), ("sqrt_", (), 0.5, 2),
           ("log_", (), 0.5, 2), ("sin_", (), -2, 2), ("abs_", (), 0.2, 2), ("relu_", (), 0.2, 2),
           ("clamp_", (-0.5, 0.5), -1, 1), ("clamp_min_", (0.0,), -1, 1), ("floor_", (), -3, 3),
           ("round_", (), -3, 3), ("square_", (), -2, 2), ("erfinv_", (), -0.9, 0.9), ("frac_", (), -3, 3),
           ("reciprocal_", (), 0.5, 2), ("logit_", (), 0.1, 0.9), ("nan_to_num_", (), -1, 1),
           ("sign_", (), -1, 1), ("trunc_", (), -3, 3), ("erf_", (), -1, 1), ("rsqrt_", (), 0.5, 2)]


@pytest.mark.parametrize("name,args,low,high", INPLACE)
def test_inplace_on_non_leaf_matches_torch(name, args, low, high):
    torch = _torch()
    arr = _uniform(low, high)
    x, t = _pair(arr)
    y, u = x * 2, t * 2
    ry, ru = getattr(y, name)(*args), getattr(u, name)(*args)
    assert ry is y
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-12)
    assert y.grad_fn.name() == u.grad_fn.name()
    y.backward(nt.tensor(np.ones(arr.shape)))
    u.backward(torch.ones(arr.shape, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)


def test_inplace_binary_ops_on_non_leaf():
    torch = _torch()
    a, b, c = _uniform(0.5, 1, (2, 3)), _uniform(0.5, 1, (3,)), _uniform(0.5, 1, (2, 3))
    for name, extra in (("lerp_", (0.3,)), ("addcmul_", ("c",)), ("addcdiv_", ("c",)), ("atan2_", ()),
                        ("hypot_", ()), ("xlogy_", ())):
        (x, t), (y, u), (z, v) = _pair(a), _pair(b), _pair(c)
        nb_args = [y] + [z if e == "c" else e for e in extra]
        th_args = [u] + [v if e == "c" else e for e in extra]
        p, q = x * 1, t * 1
        getattr(p, name)(*nb_args)
        getattr(q, name)(*th_args)
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12)
        p.backward(nt.tensor(np.ones(a.shape)))
        q.backward(torch.ones(a.shape, dtype=torch.float64))
        for m, n in ((x, t), (y, u), (z, v)):
            if n.grad is not None:
                np.testing.assert_allclose(m.grad.numpy(), n.grad.numpy(), rtol=1e-10)


def test_inplace_semantics():
    x = nt.tensor([0.5, -1.0, 2.0])
    version = x._version[0]
    assert x.clamp_(0, 1) is x
    np.testing.assert_array_equal(x.numpy(), np.array([0.5, 0.0, 1.0], dtype=np.float32))
    assert x._version[0] == version + 1
    assert nt.relu_(nt.tensor([-1.0, 1.0])).tolist() == [0.0, 1.0]
    leaf = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        leaf.exp_()
    with nt.no_grad():
        leaf.exp_()
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        nt.tensor([1, 2]).exp_()
    i = nt.tensor([-3, 4])
    i.abs_()
    assert i.tolist() == [3, 4] and i.dtype is nt.int64


def test_modifying_a_saved_output_raises_at_backward():
    for name in ("exp", "tanh", "sigmoid", "sqrt", "relu"):
        x = nt.tensor([0.5, 1.0], requires_grad=True)
        y = getattr(x, name)()
        y.clamp_(max=10.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(nt.ones(2))
    x = nt.tensor([0.5, 1.0], requires_grad=True)
    base = x * 1
    y = base.sin()
    base.clamp_(min=0.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(nt.ones(2))


def test_integer_inputs_promote_and_tensor_methods_exist():
    torch = _torch()
    i = np.array([1, 2, 3])
    for name in ("exp", "sqrt", "sin", "log", "sigmoid", "tanh", "erf"):
        out = getattr(nt.tensor(i), name)()
        ref = getattr(torch.tensor(i), name)()
        assert out.dtype is nt.float32
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    assert abs(nt.tensor([-1.5])).tolist() == [1.5]
