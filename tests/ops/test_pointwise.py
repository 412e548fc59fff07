"""Elementwise math ops: values and gradients against PyTorch and finite differences.

Result dtypes are tested in ``test_pointwise_dtypes``, the in-place forms in ``test_pointwise_inplace``.
"""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

from ._pointwise_pairs import RNG, _pair, _torch, _uniform


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


def test_large_float32_tanh_matches_pytorch_within_two_ulp():
    """From ``TANH_MIN_BYTES`` float32 tanh runs numbatorch's own vectorised kernel; PyTorch's is within 1 ulp. The
    gradient 1 - y * y loses y's relative precision near |y| = 1, in both: compared in absolute terms."""
    torch = _torch()
    x, t = _pair(RNG.uniform(-6, 6, (257, 511)).astype(np.float32))
    out, ref = x.tanh(), t.tanh()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=3e-7, atol=1e-30)
    upstream = RNG.standard_normal((257, 511)).astype(np.float32)
    out.backward(nt.tensor(upstream))
    ref.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=0, atol=1e-6 * np.abs(upstream).max())


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
