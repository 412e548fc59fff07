"""In-place add/sub/mul/div and relu_ written straight into the tensor (_ops/_inplace_direct.py): the same bits as
the out-of-place op, the same array, the version bump, the fall-backs' errors, and PyTorch's values."""
import warnings

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _arithmetic_kernels as threaded

# small, and large enough for the threaded kernels (their own tests check when those run)
SHAPES = [(3, 5), (threaded.MIN_ARITHMETIC_ELEMENTS // 256 + 1, 256)]
BINARY = [("add_", "add", {}), ("add_", "add", {"alpha": -0.37}), ("sub_", "sub", {}),
          ("sub_", "sub", {"alpha": 2.5}), ("mul_", "mul", {}), ("div_", "div", {}),
          ("__iadd__", "add", {}), ("__isub__", "sub", {}), ("__imul__", "mul", {}), ("__itruediv__", "div", {}),
          ("subtract_", "sub", {}), ("multiply_", "mul", {}), ("divide_", "div", {}), ("true_divide_", "div", {})]


def _values(shape, dtype, seed):
    """Random values with zeros, signed zeros, infinities and NaN among them."""
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)).astype(dtype)
    flat = a.reshape(-1)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-42 if dtype == np.float32 else 1e-310]
    flat[:len(specials)] = specials[:flat.size]
    return a


def _operands(shape, dtype):
    """(label, operand maker) pairs: numbers, a tensor of the same shape, a broadcast row, a 0-d tensor."""
    return [("float", lambda: -1.75), ("int", lambda: 3),
            ("tensor", lambda: nt.tensor(_values(shape, dtype, 1))),
            ("row", lambda: nt.tensor(_values(shape[-1:], dtype, 2))),
            ("scalar_tensor", lambda: nt.tensor(np.array(0.8125, dtype=dtype)))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method,op,kwargs", BINARY)
def test_same_bits_as_the_out_of_place_op_into_the_same_array(method, op, kwargs, shape, dtype):
    for label, make in _operands(shape, dtype):
        x = nt.tensor(_values(shape, dtype, 0))
        other = make()
        expected = getattr(nt, op)(x, other, **kwargs).numpy().copy()
        data, version = x._data, x._version
        result = getattr(x, method)(other, **kwargs)
        assert result is x and x._data is data, label
        assert x._version == version + 1, label
        np.testing.assert_array_equal(x.numpy().view(f"u{x.numpy().itemsize}"),
                                      expected.view(f"u{expected.itemsize}"), err_msg=label)


def test_division_by_zero_is_silent_as_in_pytorch():
    x = nt.tensor([1.0, -1.0, 0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.div_(0.0)
        x /= nt.zeros(4)
    np.testing.assert_array_equal(x.numpy(), [np.inf, -np.inf, np.nan, np.inf])


def test_same_tensor_on_both_sides():
    x = nt.tensor(_values((4, 6), np.float32, 3))
    expected = (x + x).numpy()
    x.add_(x)
    np.testing.assert_array_equal(x.numpy(), expected)


def test_write_through_a_view_reaches_the_base():
    base = nt.zeros(4, 6)
    row = base[1]
    row.add_(nt.ones(6), alpha=2.0)
    base[:, 2].mul_(3.0)
    expected = np.zeros((4, 6), np.float32)
    expected[1] = 2.0
    expected[:, 2] *= 3.0
    np.testing.assert_array_equal(base.numpy(), expected)
    assert base._version == row._version == 2


def test_partly_overlapping_operand_reads_the_old_values():
    x = nt.arange(8.0)
    x[1:].add_(x[:-1])  # numpy's overlap handling, as the out-of-place op then copy
    np.testing.assert_array_equal(x.numpy(), [0, 1, 3, 5, 7, 9, 11, 13])


def test_manual_sgd_step_under_no_grad_keeps_the_leaf():
    w = nt.tensor(np.random.default_rng(4).standard_normal((5, 3)), requires_grad=True)
    (w * w).sum().backward()
    before = w.detach().numpy().copy()
    with nt.no_grad():
        w -= 0.1 * w.grad
        w.add_(w.grad, alpha=-0.1)
    assert w.requires_grad and w.grad_fn is None and w.is_leaf
    np.testing.assert_array_equal(w.detach().numpy(), (before - 0.1 * (2 * before)) + (2 * before) * -0.1)


def test_recording_ops_still_record():
    a = nt.tensor(_values((3, 4), np.float64, 5), requires_grad=True)
    y = nt.zeros(3, 4, dtype=nt.float64)
    y.mul_(2.0)       # nothing requires grad: written directly, no history
    assert y.grad_fn is None
    y.add_(a)         # the operand requires grad: recorded as PyTorch does
    y.mul_(a)
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * a.detach().numpy(), equal_nan=True)


def test_fall_backs_keep_pytorchs_errors():
    leaf = nt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1.0)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        nt.ones(3, dtype=nt.int64).add_(0.5)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        nt.ones(3).add_(nt.ones(2, 3))
    with pytest.raises(TypeError):
        nt.ones(3).mul_(nt.ones(3), alpha=2.0)
    with pytest.raises(RuntimeError, match="more than one element"):
        nt.ones(3).expand(2, 3).add_(1.0)


def test_integer_and_half_tensors_take_the_general_path():
    x = nt.arange(6).reshape(2, 3)
    x.mul_(3).sub_(nt.ones(2, 3, dtype=nt.int64), alpha=2)
    np.testing.assert_array_equal(x.numpy(), np.arange(6).reshape(2, 3) * 3 - 2)
    h = nt.ones(4, dtype=nt.float16)
    h.div_(3.0)
    np.testing.assert_array_equal(h.numpy(), (nt.ones(4, dtype=nt.float16) / 3.0).numpy())


def _same_bits_but_nan_signs(got, want):
    """Equal bits, except that a NaN may stand for a NaN of the other sign (numpy's expressions, which the
    out-of-place ops use, pick either NaN of a NaN + NaN by array size)."""
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    bits = f"u{got.itemsize}"
    np.testing.assert_array_equal(got[~nan].view(bits), want[~nan].view(bits))


TERNARY = [("addcmul_", "addcmul", {"value": 0.3}), ("addcmul_", "addcmul", {}), ("addcdiv_", "addcdiv", {"value": -2}),
           ("addcdiv_", "addcdiv", {})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method,op,kwargs", TERNARY)
def test_addcmul_addcdiv_same_values_as_the_out_of_place_op(method, op, kwargs, shape, dtype):
    for second in ("tensor", "row"):
        x = nt.tensor(_values(shape, dtype, 0))
        t1 = nt.tensor(_values(shape, dtype, 1))
        t2 = nt.tensor(_values(shape if second == "tensor" else shape[-1:], dtype, 2))
        expected = getattr(nt, op)(x, t1, t2, **kwargs).numpy().copy()
        data, version = x._data, x._version
        assert getattr(x, method)(t1, t2, **kwargs) is x and x._data is data and x._version == version + 1
        _same_bits_but_nan_signs(x.numpy(), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weight", [0.1, -0.3, 0.5, 0.9, 2])
def test_lerp_same_values_as_the_out_of_place_op(weight, shape, dtype):
    x, end = nt.tensor(_values(shape, dtype, 0)), nt.tensor(_values(shape, dtype, 1))
    expected = nt.lerp(x, end, weight).numpy().copy()
    data, version = x._data, x._version
    assert x.lerp_(end, weight) is x and x._data is data and x._version == version + 1
    _same_bits_but_nan_signs(x.numpy(), expected)


def test_ternary_fall_backs_record_and_raise_as_before():
    a = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = nt.ones(3)
    y.addcmul_(a, a, value=0.5)      # an operand requires grad: recorded
    assert y.grad_fn.name() == "AddcmulBackward0"
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), a.detach().numpy())
    z = nt.zeros(3)
    z.lerp_(nt.ones(3), nt.full((3,), 0.25))   # a tensor weight: the general path
    np.testing.assert_allclose(z.numpy(), 0.25)
    with pytest.raises(RuntimeError):
        nt.ones(3).addcdiv_(nt.ones(2, 3), nt.ones(3))
    with pytest.raises(RuntimeError):
        nt.ones(3).lerp_(nt.ones(3, dtype=nt.float64), 0.5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_relu_inplace_same_bits_as_relu(shape, dtype):
    x = nt.tensor(_values(shape, dtype, 6))
    expected = nt.relu(x).numpy().copy()
    data, version = x._data, x._version
    assert x.relu_() is x and x._data is data and x._version == version + 1
    np.testing.assert_array_equal(x.numpy().view(f"u{dtype().itemsize}"), expected.view(f"u{dtype().itemsize}"))


def test_relu_inplace_on_a_non_leaf_still_records():
    a = nt.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = a * 1
    nt.relu_(y)
    assert y.grad_fn.name() == "ReluBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 1.0, 0.0, 1.0])


@pytest.mark.parametrize("method,kwargs", [("add_", {"alpha": 0.5}), ("sub_", {}), ("mul_", {}), ("div_", {})])
def test_values_match_pytorch(method, kwargs):
    torch = pytest.importorskip("torch")
    a, b = _values((64, 33), np.float32, 7), _values((33,), np.float32, 8)
    x, t = nt.tensor(a), torch.tensor(a)
    getattr(x, method)(nt.tensor(b), **kwargs)
    getattr(t, method)(torch.tensor(b), **kwargs)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6, atol=0, equal_nan=True)
    x.relu_()
    t.relu_()
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6, atol=0, equal_nan=True)


def test_hand_written_adam_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    values = [rng.standard_normal((300, 40)).astype(np.float32) for _ in range(2)]
    results = []
    for lib in (nt, torch):
        p, g = (lib.tensor(v) for v in values)
        m, v = lib.zeros_like(p), lib.zeros_like(p)
        ema = p.clone()
        with lib.no_grad():
            for _ in range(3):
                m.mul_(0.9).add_(g, alpha=0.1)
                v.mul_(0.999).addcmul_(g, g, value=0.001)
                p.addcdiv_(m, v.sqrt().add_(1e-8), value=-1e-3)
                ema.lerp_(p, 0.1)
        results.append([t.numpy() for t in (p, m, v, ema)])
    # absolute: p's values cancel towards 0, and PyTorch's own first call rounds its second half differently
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=2e-6)


def test_relu_inplace_through_a_strided_view_reaches_the_base():
    base = nt.tensor(_values((6, 8), np.float32, 11))
    expected = base.numpy().copy()
    expected[:, ::2] = nt.relu(nt.tensor(expected[:, ::2])).numpy()
    base[:, ::2].relu_()
    np.testing.assert_array_equal(base.numpy().view(np.uint32), expected.view(np.uint32))
