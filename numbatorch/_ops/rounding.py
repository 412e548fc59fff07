"""Piecewise-constant ops: sign, floor/ceil/round/trunc, frac, nan_to_num, heaviside."""
import numpy as np

from .. import _dtype as dt
from .._type_info import finfo
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, backward_with_constant_slopes
from ._util import inplace_variant, record
from ._elementwise import _apply2, _not_implemented_for, _require_tensors
from .complex_ops import complex_sgn

__all__ = [
    "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac", "nan_to_num", "heaviside", "floor_", "ceil_",
    "round_", "trunc_", "fix_", "frac_", "nan_to_num_", "sign_", "sgn_",
]

class FracBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad

    def backward_graph(self, grad):
        return grad


class NanToNumBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.isfinite(self.x)

    def backward_graph(self, grad):
        return backward_with_constant_slopes(self, grad)


class _ZeroGradient(Node):
    """Piecewise-constant functions: PyTorch records them, with a zero gradient."""

    __slots__ = ()

    def backward(self, grad):
        return np.zeros_like(grad)

    def backward_graph(self, grad):
        return grad * 0


class SignBackward0(_ZeroGradient):
    __slots__ = ()


class SgnBackward0(_ZeroGradient):
    __slots__ = ()


class FloorBackward0(_ZeroGradient):
    __slots__ = ()


class CeilBackward0(_ZeroGradient):
    __slots__ = ()


class RoundBackward0(_ZeroGradient):
    __slots__ = ()


class RoundBackward1(_ZeroGradient):
    __slots__ = ()


class TruncBackward0(_ZeroGradient):
    __slots__ = ()


def _heaviside_backward(self, grad):
    raise RuntimeError("derivative for aten::heaviside is not implemented")


# PyTorch names this node "NotImplemented"; building it with type() avoids shadowing the builtin.
_HeavisideBackward = type("NotImplemented", (Node,), {"__slots__": (), "backward": _heaviside_backward,
                                                      "backward_graph": _heaviside_backward})


def _sign_array(arr):
    if arr.dtype == np.bool_:
        return arr.copy()
    out = np.sign(arr)
    if dt.is_floating(arr.dtype):
        out[np.isnan(arr)] = 0  # PyTorch: sign(nan) = 0
    return out


@tensor_method()
def sign(input):
    """Elementwise sign: -1, 0 or 1."""
    if input._data.dtype.kind == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead.")
    return record(_sign_array(input._data), SignBackward0, (input,))


@tensor_method()
def sgn(input):
    """Elementwise sign; ``z / |z|`` for complex tensors; for real tensors the same as ``sign``."""
    if input._data.dtype.kind == "c":
        return complex_sgn(input)
    return record(_sign_array(input._data), SgnBackward0, (input,))


def _rounding(np_fn, kernel_name, node_cls, doc=None):
    def op(input):
        arr = input._data
        if not dt.is_floating(arr.dtype):
            if arr.dtype == np.bool_:
                raise _not_implemented_for(kernel_name, arr.dtype)
            return Tensor._make(arr.copy())
        return record(np_fn(arr), node_cls, (input,))
    op.__doc__ = doc
    return op


floor = tensor_method("floor")(_rounding(np.floor, "floor_vml_cpu", FloorBackward0,
                                         "Elementwise floor: the largest integer not above each element."))


ceil = tensor_method("ceil")(_rounding(np.ceil, "ceil_vml_cpu", CeilBackward0,
                                       "Elementwise ceiling: the smallest integer not below each element."))


trunc = fix = tensor_method("trunc", "fix")(_rounding(np.trunc, "trunc_vml_cpu", TruncBackward0,
                                                      "Elementwise rounding towards zero; ``fix`` is an alias."))


_round_half_even = _rounding(np.rint, "round_vml_cpu", RoundBackward0)


for _fn, _name in ((floor, "floor"), (ceil, "ceil"), (trunc, "trunc")):
    _fn.__name__ = _fn.__qualname__ = _name  # the module global: pickle finds the op by this name


@tensor_method()
def round(input, *, decimals=0):
    """Round half to even; ``decimals`` rounds to that many decimal places (negative: tens, hundreds, ...)."""
    if decimals == 0:
        return _round_half_even(input)
    arr = input._data
    if not dt.is_floating(arr.dtype):
        raise _not_implemented_for("round_cpu", arr.dtype)
    if arr.dtype.kind == "V":  # bfloat16: scaled and rounded in float32, as PyTorch's kernel does
        return record(np.round(arr.astype(np.float32), decimals).astype(arr.dtype), RoundBackward1, (input,))
    return record(np.round(arr, decimals), RoundBackward1, (input,))


@tensor_method()
def frac(input):
    """Elementwise fractional part ``input - trunc(input)``."""
    arr = input._data
    if not dt.is_floating(arr.dtype):
        raise _not_implemented_for("frac_cpu", arr.dtype)
    return record(arr - np.trunc(arr), FracBackward0, (input,))


@tensor_method()
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replaces nan by ``nan``, and infinities by ``posinf``/``neginf`` (by default the dtype's extremes)."""
    arr = input._data
    if not dt.is_floating(arr.dtype):
        return Tensor._make(arr.copy())
    if arr.dtype.kind == "V":  # numpy's nan_to_num passes ml_dtypes arrays through unchanged
        info = finfo(input.dtype)
        out = np.nan_to_num(arr.astype(np.float32), nan=nan, posinf=info.max if posinf is None else posinf,
                            neginf=info.min if neginf is None else neginf).astype(arr.dtype)
    else:
        out = np.nan_to_num(arr, nan=nan, posinf=posinf, neginf=neginf)
    return record(out, NanToNumBackward0, (input,), reads=(input,), x=arr)


@tensor_method()
def heaviside(input, values):
    """Elementwise Heaviside step: 0 below zero, 1 above, ``values`` at zero."""
    _require_tensors("heaviside", input, values, "values")
    x, v = input._data, values._data
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    out = _apply2(lambda a, b: np.where(a == 0, b, a > 0).astype(a.dtype, copy=False), x, v)
    return record(out, _HeavisideBackward, (input, values))


# In-place forms: Tensor methods and torch.<name>_ functions.
for _name, _fn in (
        ("sign_", sign), ("sgn_", sgn), ("floor_", floor), ("ceil_", ceil), ("round_", round), ("trunc_", trunc),
        ("fix_", trunc), ("frac_", frac), ("nan_to_num_", nan_to_num), ("heaviside_", heaviside)):
    globals()[_name] = inplace_variant(_name, _fn)
del _name, _fn
