"""clamp, where, lerp, addcmul and addcdiv."""
import builtins
import warnings

import numpy as np

from .. import _dtype as dt
from .._device import is_device_array, same_device
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, backward_with_constant_slopes, operand
from ..backends.cpu._select_kernels import select
from ._util import _legacy_name, binary_arrays, broadcast_error, inplace_variant, record
from ._elementwise import _apply2, _c_name, _not_implemented_for, _require_tensors
from ._inplace_direct import direct_addc, direct_lerp

__all__ = [
    "clamp", "clip", "clamp_min", "clamp_max", "where", "lerp", "addcmul", "addcdiv", "clamp_", "clip_",
    "clamp_min_", "clamp_max_",
]

class ClampBackward1(Node):
    """Scalar bounds: the gradient passes where ``min <= x <= max``."""

    __slots__ = ("x", "lo", "hi")

    def backward(self, grad):
        x = self.x
        if self.lo is None:
            return grad * (x <= self.hi)
        if self.hi is None:
            return grad * (x >= self.lo)
        return grad * ((x >= self.lo) & (x <= self.hi))

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class ClampBackward0(Node):
    """Tensor bounds; with ``min > max`` the result (and its gradient) is ``max``, as in PyTorch."""

    __slots__ = ("x", "lo", "hi")

    def backward(self, grad):
        x, lo, hi = self.x, self.lo, self.hi
        g_x = g_lo = g_hi = None
        if self.inputs[0] is not None:
            inside = True
            if lo is not None:
                inside = x >= lo
            if hi is not None:
                inside = inside & (x <= hi)
            g_x = grad * inside
        if lo is not None and self.inputs[1] is not None:
            below = x < lo
            if hi is not None:
                below &= lo < hi
            g_lo = grad * below
        if hi is not None and self.inputs[2] is not None:
            above = x > hi
            if lo is not None:
                above |= hi < lo
            g_hi = grad * above
        return g_x, g_lo, g_hi

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class ClampMinBackward0(Node):
    __slots__ = ("x", "lo")

    def backward(self, grad):
        return grad * (self.x >= self.lo)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class ClampMaxBackward0(Node):
    __slots__ = ("x", "hi")

    def backward(self, grad):
        return grad * (self.x <= self.hi)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class ClampMinBackward1(Node):
    __slots__ = ("x", "lo")

    def backward(self, grad):
        below = self.x < self.lo
        return (select(below, 0, grad) if self.inputs[0] is not None else None,
                select(below, grad, 0) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class ClampMaxBackward1(Node):
    __slots__ = ("x", "hi")

    def backward(self, grad):
        above = self.x > self.hi
        return (select(above, 0, grad) if self.inputs[0] is not None else None,
                select(above, grad, 0) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class WhereBackward0(Node):
    __slots__ = ("cond",)

    def backward(self, grad):
        c = self.cond
        return (select(c, grad, 0) if self.inputs[0] is not None else None,
                select(c, 0, grad) if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class LerpBackward0(Node):
    """Scalar weight."""

    __slots__ = ("weight",)

    def backward(self, grad):
        w = self.weight
        return (grad * (1 - w) if self.inputs[0] is not None else None,
                grad * w if self.inputs[1] is not None else None)

    def backward_graph(self, grad):
        return self.backward(grad)


class LerpBackward1(Node):
    """Tensor weight."""

    __slots__ = ("start", "end", "weight")

    def backward(self, grad):
        w = self.weight
        return (grad * (1 - w) if self.inputs[0] is not None else None,
                grad * w if self.inputs[1] is not None else None,
                grad * (self.end - self.start) if self.inputs[2] is not None else None)

    def backward_graph(self, grad):
        start, end, w = operand(self, 0, self.start), operand(self, 1, self.end), operand(self, 2, self.weight)
        return (grad * (1 - w) if self.inputs[0] is not None else None,
                grad * w if self.inputs[1] is not None else None,
                grad * (end - start) if self.inputs[2] is not None else None)


class AddcmulBackward0(Node):
    __slots__ = ("t1", "t2", "value")

    def backward(self, grad):
        v = self.value
        return (grad if self.inputs[0] is not None else None,
                grad * (self.t2 * v) if self.inputs[1] is not None else None,
                grad * (self.t1 * v) if self.inputs[2] is not None else None)

    def backward_graph(self, grad):
        v, t1, t2 = self.value, operand(self, 1, self.t1), operand(self, 2, self.t2)
        return (grad if self.inputs[0] is not None else None,
                grad * (t2 * v) if self.inputs[1] is not None else None,
                grad * (t1 * v) if self.inputs[2] is not None else None)


class AddcdivBackward0(Node):
    __slots__ = ("t1", "t2", "value")

    def backward(self, grad):
        v, t1, t2 = self.value, self.t1, self.t2
        return (grad if self.inputs[0] is not None else None,
                grad * (v / t2) if self.inputs[1] is not None else None,
                grad * (-v * t1 / (t2 * t2)) if self.inputs[2] is not None else None)

    def backward_graph(self, grad):
        v, t1, t2 = self.value, operand(self, 1, self.t1), operand(self, 2, self.t2)
        return (grad if self.inputs[0] is not None else None,
                grad * (v / t2) if self.inputs[1] is not None else None,
                grad * (-v * t1 / (t2 * t2)) if self.inputs[2] is not None else None)


_NUMBER_OR_NONE = (float, int, type(None))


def _clamp_arrays(input, min, max, fname):
    """Arrays of input and bounds promoted to the common PyTorch dtype (bounds may be None)."""
    x = input._data
    operands = [input] + [b for b in (min, max) if b is not None]
    res_dtype = dt.result_type(*operands).np
    if res_dtype == np.bool_:
        tensor_bounds = isinstance(min, Tensor) or isinstance(max, Tensor)
        if not tensor_bounds or (min is not None and max is not None):
            raise _not_implemented_for(f"{fname}_scalar_cpu" if not tensor_bounds else f"{fname}_cpu", res_dtype)
    if x.dtype != res_dtype:
        x = x.astype(res_dtype)
    lo = hi = None
    if min is not None:
        lo = (min._data if isinstance(min, Tensor) else np.asarray(min, like=x)).astype(res_dtype, copy=False)
    if max is not None:
        hi = (max._data if isinstance(max, Tensor) else np.asarray(max, like=x)).astype(res_dtype, copy=False)
    return x, lo, hi


def _bounded(x, lo, hi):
    try:
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return out
    except ValueError:
        raise broadcast_error(x.shape, *(np.shape(b) for b in (lo, hi) if b is not None)) from None


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None):
    """Clamps every element to ``[min, max]`` (either bound may be ``None`` or a tensor); ``clip`` is an alias."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input._data
    if dt.is_floating(x.dtype) and type(min) in _NUMBER_OR_NONE and type(max) in _NUMBER_OR_NONE:
        # Hot path: float tensor and number bounds keep the tensor's dtype (numpy's weak scalars do the same).
        out = x if min is None else np.maximum(x, min)
        if max is not None:
            out = np.minimum(out, max)
        return record(out, ClampBackward1, (input,), reads=(input,), x=x, lo=min, hi=max)
    x, lo, hi = _clamp_arrays(input, min, max, "clamp")
    out = _bounded(x, lo, hi)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return record(out, ClampBackward0, (input, min, max), reads=(input, min, max), x=x, lo=lo, hi=hi)
    return record(out, ClampBackward1, (input,), reads=(input,), x=x, lo=min, hi=max)


clip = clamp


@tensor_method()
def clamp_min(input, min):
    """Clamps every element to at least ``min``."""
    x, lo, _ = _clamp_arrays(input, min, None, "clamp_min")
    out = _bounded(x, lo, None)
    if isinstance(min, Tensor):
        return record(out, ClampMinBackward1, (input, min), reads=(input, min), x=x, lo=lo)
    return record(out, ClampMinBackward0, (input,), reads=(input,), x=x, lo=min)


@tensor_method()
def clamp_max(input, max):
    """Clamps every element to at most ``max``."""
    x, _, hi = _clamp_arrays(input, None, max, "clamp_max")
    out = _bounded(x, None, hi)
    if isinstance(max, Tensor):
        return record(out, ClampMaxBackward1, (input, max), reads=(input, max), x=x, hi=hi)
    return record(out, ClampMaxBackward0, (input,), reads=(input,), x=x, hi=max)


def where(condition, input=None, other=None):
    """``where(cond, x, y)``: ``x`` where ``cond`` holds, else ``y``. ``where(cond)``: ``nonzero(as_tuple=True)``."""
    if input is None and other is None:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(condition._data))
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{_legacy_name(c.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed "
                      "in a future version of PyTorch. Use a boolean condition instead.")
        c = c.astype(bool)
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        x, y = binary_arrays(input, other)
    else:
        res_dtype = dt.result_type(input, other).np
        x, y = np.asarray(input, dtype=res_dtype, like=c), np.asarray(other, dtype=res_dtype, like=c)
    values = x if isinstance(input, Tensor) else y
    if isinstance(values, np.ndarray) or is_device_array(values):
        if type(c) is not type(values):
            c, _ = same_device(c, values)
    try:
        out = select(c, x, y)
    except ValueError:
        raise broadcast_error(c.shape, np.shape(x), np.shape(y)) from None
    return record(out, WhereBackward0, (input, other), reads=(condition,), cond=c)


@tensor_method("where")
def _where_method(self, condition, other):
    """Elements of this tensor where ``condition`` holds, else those of ``other``."""
    return where(condition, self, other)


@tensor_method()
def lerp(input, end, weight):
    """``input + weight * (end - input)``, evaluated from the nearer end for accuracy as PyTorch does."""
    _require_tensors("lerp", input, end, "end")
    a, b = input._data, end._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected dtype {_c_name(a.dtype)} for `end` but got dtype {_c_name(b.dtype)}")
    if not dt.is_floating(a.dtype):
        raise _not_implemented_for("lerp_kernel_scalar", a.dtype)
    if isinstance(weight, Tensor):
        w = weight._data
        if w.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {_c_name(a.dtype)} for `weight` but got dtype "
                               f"{_c_name(w.dtype)}")
        try:
            diff = b - a
            out = np.where(np.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))
        except ValueError:
            raise broadcast_error(a.shape, b.shape, w.shape) from None
        return record(out, LerpBackward1, (input, end, weight), reads=((weight, 0, 1), (input, 2), (end, 2)),
                      start=a, end=b, weight=w)
    diff = _apply2(np.subtract, b, a)
    out = a + weight * diff if builtins.abs(weight) < 0.5 else b - diff * (1 - weight)
    return record(out.astype(a.dtype, copy=False), LerpBackward0, (input, end), weight=weight)


def _ternary_arrays(input, t1, t2, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    for pos, (name, t) in enumerate((("tensor1", t1), ("tensor2", t2)), start=2):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    res_dtype = dt.result_type(input, t1, t2).np
    x, a, b = (t._data for t in (input, t1, t2))
    if not type(x) is type(a) is type(b):
        x, a = same_device(x, a)
        x, b = same_device(x, b)
    return tuple(arr.astype(res_dtype, copy=False) for arr in (x, a, b))


@tensor_method()
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` elementwise."""
    x, a, b = _ternary_arrays(input, tensor1, tensor2, "addcmul")
    if x.dtype == np.bool_:
        raise _not_implemented_for("addcmul_cpu_out", x.dtype)
    try:
        prod = a * b
        out = x + (prod if value == 1 else value * prod)
    except ValueError:
        raise broadcast_error(x.shape, a.shape, b.shape) from None
    return record(out.astype(x.dtype, copy=False), AddcmulBackward0, (input, tensor1, tensor2),
                  reads=((tensor1, 2), (tensor2, 1)), t1=a, t2=b, value=value)


@tensor_method()
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` elementwise."""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a "
            "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
            "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
            "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    x, a, b = _ternary_arrays(input, tensor1, tensor2, "addcdiv")
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            quot = a / b
        out = x + (quot if value == 1 else value * quot)
    except ValueError:
        raise broadcast_error(x.shape, a.shape, b.shape) from None
    return record(out.astype(x.dtype, copy=False), AddcdivBackward0, (input, tensor1, tensor2),
                  reads=((tensor1, 2), (tensor2, 1, 2)), t1=a, t2=b, value=value)


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("clamp_", clamp), ("clip_", clamp), ("clamp_min_", clamp_min), ("clamp_max_", clamp_max)):
    globals()[_name] = inplace_variant(_name, _fn)
lerp_ = direct_lerp("lerp_", lerp)
addcmul_ = direct_addc("addcmul_", addcmul, divide=False)
addcdiv_ = direct_addc("addcdiv_", addcdiv, divide=True)
del _name, _fn
