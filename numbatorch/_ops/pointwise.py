"""Elementwise math: exp/log/trig families, activations, clamp, where, lerp, rounding and float tests.

numpy ufuncs already run vectorised C loops for the plain functions; Numba kernels are used where numpy has
no function (erf, erfc, erfinv) or where fusing saves passes over memory (sigmoid and the tanh/sigmoid
backward formulas).
"""
import builtins
import math
import warnings

import numpy as np
from numba import njit, prange

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import _legacy_name, apply_inplace, binary_arrays, broadcast_error, float_array, needs_grad, record

__all__ = [
    "abs", "absolute", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "square",
    "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2", "sinh",
    "cosh", "tanh", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "sigmoid", "relu", "erf",
    "erfc", "erfinv", "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where",
    "lerp", "addcmul", "addcdiv", "hypot", "logaddexp", "logaddexp2", "xlogy", "reciprocal", "sinc", "logit",
    "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac", "isnan", "isinf", "isposinf", "isneginf",
    "isfinite", "isreal", "nan_to_num", "signbit", "heaviside",
    # In-place functional forms (torch.relu_(x), torch.exp_(x), ...).
    "abs_", "exp_", "exp2_", "log_", "log2_", "log10_", "log1p_", "expm1_", "sqrt_", "rsqrt_", "square_",
    "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "sinh_", "cosh_", "tanh_", "sigmoid_", "relu_", "erf_",
    "erfc_", "erfinv_", "clamp_", "clip_", "clamp_min_", "clamp_max_", "reciprocal_", "sinc_", "logit_",
    "floor_", "ceil_", "round_", "trunc_", "fix_", "frac_", "nan_to_num_", "sign_", "sgn_",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
# Below this many elements a serial kernel beats waking the thread pool.
_PARALLEL_MIN_SIZE = 1 << 15


# ---- Numba kernels (flat contiguous arrays in, preallocated flat arrays out) ---------------------------
@njit(cache=True, error_model="numpy")
def _erf_serial(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _erf_parallel(x, out):
    for i in prange(x.size):
        out[i] = math.erf(x[i])


@njit(cache=True, error_model="numpy")
def _erfc_serial(x, out):
    for i in range(x.size):
        out[i] = math.erfc(x[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _erfc_parallel(x, out):
    for i in prange(x.size):
        out[i] = math.erfc(x[i])


@njit(cache=True, error_model="numpy", inline="always")
def _fabs(v):
    return v if v >= 0.0 else -v


@njit(cache=True, error_model="numpy", inline="always")
def _erfinv_scalar(y):
    """Inverse error function in float64: Giles' (2010) polynomial guess refined by two Newton steps."""
    if not -1.0 <= y <= 1.0:
        return np.nan
    if y == 1.0:
        return np.inf
    if y == -1.0:
        return -np.inf
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        p = 3.43273939e-07 + p * w
        p = -3.5233877e-06 + p * w
        p = -4.39150654e-06 + p * w
        p = 0.00021858087 + p * w
        p = -0.00125372503 + p * w
        p = -0.00417768164 + p * w
        p = 0.246640727 + p * w
        p = 1.50140941 + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        p = 0.000100950558 + p * w
        p = 0.00134934322 + p * w
        p = -0.00367342844 + p * w
        p = 0.00573950773 + p * w
        p = -0.0076224613 + p * w
        p = 0.00943887047 + p * w
        p = 1.00167406 + p * w
        p = 2.83297682 + p * w
    x = p * y
    if -0.5 < y < 0.5:
        for _ in range(2):
            x -= (math.erf(x) - y) / (_TWO_OVER_SQRT_PI * math.exp(-x * x))
        return x
    # Tail: the guess is single-precision only and loses accuracy beyond 1 - |y| < 1e-9, where erf is flat.
    # Newton on log(erfc(|x|)) = log(1 - |y|) is nearly linear there; 1 - |y| is exact for |y| >= 0.5.
    q = 1.0 - _fabs(y)
    log_q = math.log(q)
    a = _fabs(x)
    for _ in range(4):
        e = math.erfc(a)
        a += (math.log(e) - log_q) * e / (_TWO_OVER_SQRT_PI * math.exp(-a * a))
    x = a if y > 0 else -a
    return x


@njit(cache=True, error_model="numpy")
def _erfinv_serial(x, out):
    for i in range(x.size):
        out[i] = _erfinv_scalar(float(x[i]))


@njit(parallel=True, cache=True, error_model="numpy")
def _erfinv_parallel(x, out):
    for i in prange(x.size):
        out[i] = _erfinv_scalar(float(x[i]))


@njit(cache=True, error_model="numpy")
def _sigmoid_serial(x, out):
    for i in range(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))


@njit(parallel=True, cache=True, error_model="numpy")
def _sigmoid_parallel(x, out):
    for i in prange(x.size):
        out[i] = 1.0 / (1.0 + math.exp(-x[i]))


@njit(cache=True, error_model="numpy")
def _sigmoid_backward_serial(grad, y, out):
    for i in range(y.size):
        out[i] = grad[i] * y[i] * (1.0 - y[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _sigmoid_backward_parallel(grad, y, out):
    for i in prange(y.size):
        out[i] = grad[i] * y[i] * (1.0 - y[i])


@njit(cache=True, error_model="numpy")
def _tanh_backward_serial(grad, y, out):
    for i in range(y.size):
        out[i] = grad[i] * (1.0 - y[i] * y[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _tanh_backward_parallel(grad, y, out):
    for i in prange(y.size):
        out[i] = grad[i] * (1.0 - y[i] * y[i])


def _map1(serial, parallel, x):
    """Run a one-input elementwise kernel; float16 is computed in float32 (Numba has no half arithmetic)."""
    if x.dtype == np.float16:
        return _map1(serial, parallel, x.astype(np.float32)).astype(np.float16)
    flat = x.reshape(-1) if x.flags.c_contiguous else np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    (parallel if flat.size >= _PARALLEL_MIN_SIZE else serial)(flat, out)
    return out.reshape(x.shape)


def _map2(serial, parallel, grad, y):
    """Run a backward kernel over an upstream gradient and a saved array of the same shape (and y's dtype)."""
    if y.dtype == np.float16:
        return _map2(serial, parallel, grad.astype(np.float32), y.astype(np.float32)).astype(np.float16)
    if grad.dtype != y.dtype or not grad.flags.c_contiguous:
        grad = np.ascontiguousarray(grad, dtype=y.dtype)
    flat_y = y.reshape(-1) if y.flags.c_contiguous else np.ascontiguousarray(y).reshape(-1)
    out = np.empty_like(flat_y)
    (parallel if out.size >= _PARALLEL_MIN_SIZE else serial)(grad.reshape(-1), flat_y, out)
    return out.reshape(y.shape)


# ---- recording helpers ------------------------------------------------------------------------------
class _SavedOutput:
    """Version handle of an op's output saved for backward, without holding the output Tensor (no ref cycle)."""

    __slots__ = ("_version", "shape", "_np_dtype")

    def __init__(self, t):
        self._version = t._version
        self.shape = t._data.shape
        self._np_dtype = t._data.dtype

    def type(self):
        return dt.LEGACY_NAME[dt._BY_NP[self._np_dtype]]


def _record_in(out, node_cls, input, **saved):
    """Record a unary op whose backward reads the input's data."""
    res = record(out, node_cls, (input,), **saved)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(input)
    return res


def _record_out(out, node_cls, input):
    """Record a unary op whose backward reads its own result (saved as ``result``)."""
    res = record(out, node_cls, (input,), result=_as_array(out))
    if res.grad_fn is not None:
        res.grad_fn._saved_versions = [(_SavedOutput(res), res._version[0])]
    return res


def _as_array(out):
    return out if type(out) is np.ndarray else np.asarray(out)


def _save_read(res, *tensors):
    """Version-check the Tensors among ``tensors`` (those whose data backward reads)."""
    if res.grad_fn is not None:
        res.grad_fn.save_versions(*(t for t in tensors if isinstance(t, Tensor)))
    return res


def _require_tensors(fname, input, other, other_name="other"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor):
        raise TypeError(f"{fname}(): argument '{other_name}' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def _not_implemented_for(kernel, np_dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_legacy_name(np_dtype)}\'')


def _float_pair(input, other):
    """Operands promoted like PyTorch, then to floating point (integer atan2/xlogy give float32)."""
    x, y = binary_arrays(input, other)
    if np.result_type(x, y).kind != "f":
        default = dt.get_default_dtype().np
        x = np.asarray(x, dtype=default)
        y = np.asarray(y, dtype=default)
    return x, y


def _apply2(fn, x, y):
    try:
        return fn(x, y)
    except ValueError:
        raise broadcast_error(np.shape(x), np.shape(y)) from None


# ---- backward nodes: unary functions -----------------------------------------------------------------
class AbsBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.sign(self.x)


class ExpBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * self.result


class Exp2Backward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * self.result * _LN2


class Expm1Backward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (self.result + 1)


class LogBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / self.x


class Log2Backward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x * _LN2)


class Log10Backward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x * _LN10)


class Log1PBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (self.x + 1)


class SqrtBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad / (2 * self.result)


class RsqrtBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        r = self.result
        return grad * (-0.5 * r * r * r)


class PowBackward0(Node):
    """``square`` is ``pow(x, 2)`` in PyTorch, hence the name."""

    __slots__ = ("x",)

    def backward(self, grad):
        return grad * (2 * self.x)


class ReciprocalBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * -(self.result * self.result)


class SinBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.cos(self.x)


class CosBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * -np.sin(self.x)


class TanBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (1 + self.result * self.result)


class AsinBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(1 - self.x * self.x)


class AcosBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return -grad / np.sqrt(1 - self.x * self.x)


class AtanBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (1 + self.x * self.x)


class SinhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.cosh(self.x)


class CoshBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.sinh(self.x)


class AsinhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(self.x * self.x + 1)


class AcoshBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / np.sqrt(self.x * self.x - 1)


class AtanhBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad / (1 - self.x * self.x)


class TanhBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return _map2(_tanh_backward_serial, _tanh_backward_parallel, grad, self.result)


class SigmoidBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return _map2(_sigmoid_backward_serial, _sigmoid_backward_parallel, grad, self.result)


class ReluBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (self.result > 0)


class ErfBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * (_TWO_OVER_SQRT_PI * np.exp(-(self.x * self.x)))


class ErfcBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * (-_TWO_OVER_SQRT_PI * np.exp(-(self.x * self.x)))


class ErfinvBackward0(Node):
    __slots__ = ("result",)

    def backward(self, grad):
        return grad * (_SQRT_PI_OVER_TWO * np.exp(self.result * self.result))


class SincBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        x = self.x
        pix = np.pi * x
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (pix * np.cos(pix) - np.sin(pix)) / (pix * x)
        return grad * np.where(x == 0, 0, d)


class LogitBackward0(Node):
    __slots__ = ("x", "eps")

    def backward(self, grad):
        x = self.x
        with np.errstate(divide="ignore", invalid="ignore"):
            g = grad / (x * (1 - x))
        if self.eps is None:
            return np.where((x < 0) | (x > 1), np.nan, g)
        return np.where((x < self.eps) | (x > 1 - self.eps), 0, g)


class FracBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad


class NanToNumBackward0(Node):
    __slots__ = ("x",)

    def backward(self, grad):
        return grad * np.isfinite(self.x)


class _ZeroGradient(Node):
    """Piecewise-constant functions: PyTorch records them, with a zero gradient."""

    __slots__ = ()

    def backward(self, grad):
        return np.zeros_like(grad)


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
_HeavisideBackward = type("NotImplemented", (Node,), {"__slots__": (), "backward": _heaviside_backward})


# ---- backward nodes: several inputs ------------------------------------------------------------------
class Atan2Backward0(Node):
    __slots__ = ("y", "x")

    def backward(self, grad):
        y, x = self.y, self.x
        g = grad / (x * x + y * y)
        return (g * x if self.inputs[0] is not None else None,
                g * -y if self.inputs[1] is not None else None)


class HypotBackward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        g = grad / self.result
        return (g * self.x if self.inputs[0] is not None else None,
                g * self.y if self.inputs[1] is not None else None)


class LogaddexpBackward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        return (grad * np.exp(self.x - self.result) if self.inputs[0] is not None else None,
                grad * np.exp(self.y - self.result) if self.inputs[1] is not None else None)


class Logaddexp2Backward0(Node):
    __slots__ = ("x", "y", "result")

    def backward(self, grad):
        return (grad * np.exp2(self.x - self.result) if self.inputs[0] is not None else None,
                grad * np.exp2(self.y - self.result) if self.inputs[1] is not None else None)


class XlogyBackward0(Node):
    __slots__ = ("x", "y")

    def backward(self, grad):
        x, y = self.x, self.y
        gx = gy = None
        if self.inputs[0] is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = grad * np.where((x == 0) & (y <= 0), 0, np.log(y))
        if self.inputs[1] is not None:
            gy = grad * x / y
        return gx, gy


class XlogyBackward1(XlogyBackward0):
    __slots__ = ()


class XlogyBackward2(XlogyBackward0):
    __slots__ = ()


class MaximumBackward0(Node):
    """Ties split the gradient evenly, like PyTorch."""

    __slots__ = ("x", "y")

    def backward(self, grad):
        x, y = self.x, self.y
        half = np.where(x == y, grad / 2, grad)
        return (np.where(x < y, 0, half) if self.inputs[0] is not None else None,
                np.where(x > y, 0, half) if self.inputs[1] is not None else None)


class MinimumBackward0(MaximumBackward0):
    __slots__ = ()

    def backward(self, grad):
        x, y = self.x, self.y
        half = np.where(x == y, grad / 2, grad)
        return (np.where(x > y, 0, half) if self.inputs[0] is not None else None,
                np.where(x < y, 0, half) if self.inputs[1] is not None else None)


class FmaxBackward0(Node):
    """Ties (and NaN in ``other``) send the whole gradient to ``input``, like PyTorch."""

    __slots__ = ("x", "y")

    def backward(self, grad):
        to_x = (self.x >= self.y) | np.isnan(self.y)
        return (np.where(to_x, grad, 0) if self.inputs[0] is not None else None,
                np.where(to_x, 0, grad) if self.inputs[1] is not None else None)


class FminBackward0(FmaxBackward0):
    __slots__ = ()

    def backward(self, grad):
        to_x = (self.x <= self.y) | np.isnan(self.y)
        return (np.where(to_x, grad, 0) if self.inputs[0] is not None else None,
                np.where(to_x, 0, grad) if self.inputs[1] is not None else None)


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


class ClampMinBackward0(Node):
    __slots__ = ("x", "lo")

    def backward(self, grad):
        return grad * (self.x >= self.lo)


class ClampMaxBackward0(Node):
    __slots__ = ("x", "hi")

    def backward(self, grad):
        return grad * (self.x <= self.hi)


class ClampMinBackward1(Node):
    __slots__ = ("x", "lo")

    def backward(self, grad):
        below = self.x < self.lo
        return (np.where(below, 0, grad) if self.inputs[0] is not None else None,
                np.where(below, grad, 0) if self.inputs[1] is not None else None)


class ClampMaxBackward1(Node):
    __slots__ = ("x", "hi")

    def backward(self, grad):
        above = self.x > self.hi
        return (np.where(above, 0, grad) if self.inputs[0] is not None else None,
                np.where(above, grad, 0) if self.inputs[1] is not None else None)


class WhereBackward0(Node):
    __slots__ = ("cond",)

    def backward(self, grad):
        c = self.cond
        return (np.where(c, grad, 0) if self.inputs[0] is not None else None,
                np.where(c, 0, grad) if self.inputs[1] is not None else None)


class LerpBackward0(Node):
    """Scalar weight."""

    __slots__ = ("weight",)

    def backward(self, grad):
        w = self.weight
        return (grad * (1 - w) if self.inputs[0] is not None else None,
                grad * w if self.inputs[1] is not None else None)


class LerpBackward1(Node):
    """Tensor weight."""

    __slots__ = ("start", "end", "weight")

    def backward(self, grad):
        w = self.weight
        return (grad * (1 - w) if self.inputs[0] is not None else None,
                grad * w if self.inputs[1] is not None else None,
                grad * (self.end - self.start) if self.inputs[2] is not None else None)


class AddcmulBackward0(Node):
    __slots__ = ("t1", "t2", "value")

    def backward(self, grad):
        v = self.value
        return (grad if self.inputs[0] is not None else None,
                grad * (self.t2 * v) if self.inputs[1] is not None else None,
                grad * (self.t1 * v) if self.inputs[2] is not None else None)


class AddcdivBackward0(Node):
    __slots__ = ("t1", "t2", "value")

    def backward(self, grad):
        v, t1, t2 = self.value, self.t1, self.t2
        return (grad if self.inputs[0] is not None else None,
                grad * (v / t2) if self.inputs[1] is not None else None,
                grad * (-v * t1 / (t2 * t2)) if self.inputs[2] is not None else None)


# ---- unary functions ---------------------------------------------------------------------------------
@tensor_method("abs", "absolute", "__abs__")
def abs(input):
    arr = input._data
    if arr.dtype == np.bool_:
        raise _not_implemented_for("abs_cpu", arr.dtype)
    return _record_in(np.abs(arr), AbsBackward0, input, x=arr)


absolute = abs


@tensor_method()
def exp(input):
    return _record_out(np.exp(float_array(input)), ExpBackward0, input)


@tensor_method()
def exp2(input):
    return _record_out(np.exp2(float_array(input)), Exp2Backward0, input)


@tensor_method()
def expm1(input):
    return _record_out(np.expm1(float_array(input)), Expm1Backward0, input)


@tensor_method()
def log(input):
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_in(np.log(x), LogBackward0, input, x=x)


@tensor_method()
def log2(input):
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_in(np.log2(x), Log2Backward0, input, x=x)


@tensor_method()
def log10(input):
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_in(np.log10(x), Log10Backward0, input, x=x)


@tensor_method()
def log1p(input):
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_in(np.log1p(x), Log1PBackward0, input, x=x)


@tensor_method()
def sqrt(input):
    with np.errstate(invalid="ignore"):
        return _record_out(np.sqrt(float_array(input)), SqrtBackward0, input)


@tensor_method()
def rsqrt(input):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_out(1 / np.sqrt(float_array(input)), RsqrtBackward0, input)


@tensor_method()
def square(input):
    arr = input._data
    if arr.dtype == np.bool_:
        arr = arr.astype(np.int64)
    return _record_in(arr * arr, PowBackward0, input, x=arr)


@tensor_method()
def reciprocal(input):
    with np.errstate(divide="ignore"):
        return _record_out(1 / float_array(input), ReciprocalBackward0, input)


@tensor_method()
def sin(input):
    x = float_array(input)
    return _record_in(np.sin(x), SinBackward0, input, x=x)


@tensor_method()
def cos(input):
    x = float_array(input)
    return _record_in(np.cos(x), CosBackward0, input, x=x)


@tensor_method()
def tan(input):
    return _record_out(np.tan(float_array(input)), TanBackward0, input)


@tensor_method("asin", "arcsin")
def asin(input):
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return _record_in(np.arcsin(x), AsinBackward0, input, x=x)


@tensor_method("acos", "arccos")
def acos(input):
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return _record_in(np.arccos(x), AcosBackward0, input, x=x)


@tensor_method("atan", "arctan")
def atan(input):
    x = float_array(input)
    return _record_in(np.arctan(x), AtanBackward0, input, x=x)


@tensor_method()
def sinh(input):
    x = float_array(input)
    return _record_in(np.sinh(x), SinhBackward0, input, x=x)


@tensor_method()
def cosh(input):
    x = float_array(input)
    return _record_in(np.cosh(x), CoshBackward0, input, x=x)


@tensor_method("asinh", "arcsinh")
def asinh(input):
    x = float_array(input)
    return _record_in(np.arcsinh(x), AsinhBackward0, input, x=x)


@tensor_method("acosh", "arccosh")
def acosh(input):
    x = float_array(input)
    with np.errstate(invalid="ignore"):
        return _record_in(np.arccosh(x), AcoshBackward0, input, x=x)


@tensor_method("atanh", "arctanh")
def atanh(input):
    x = float_array(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _record_in(np.arctanh(x), AtanhBackward0, input, x=x)


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


@tensor_method()
def tanh(input):
    return _record_out(np.tanh(float_array(input)), TanhBackward0, input)


@tensor_method()
def sigmoid(input):
    return _record_out(_map1(_sigmoid_serial, _sigmoid_parallel, float_array(input)), SigmoidBackward0, input)


@tensor_method()
def relu(input):
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _record_out(np.maximum(arr, 0, dtype=arr.dtype), ReluBackward0, input)


@tensor_method()
def erf(input):
    x = float_array(input)
    return _record_in(_map1(_erf_serial, _erf_parallel, x), ErfBackward0, input, x=x)


@tensor_method()
def erfc(input):
    x = float_array(input)
    return _record_in(_map1(_erfc_serial, _erfc_parallel, x), ErfcBackward0, input, x=x)


@tensor_method()
def erfinv(input):
    return _record_out(_map1(_erfinv_serial, _erfinv_parallel, float_array(input)), ErfinvBackward0, input)


@tensor_method()
def sinc(input):
    x = float_array(input)
    return _record_in(np.sinc(x), SincBackward0, input, x=x)


@tensor_method()
def logit(input, eps=None):
    x = float_array(input)
    z = x if eps is None else np.clip(x, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(z / (1 - z))
    return _record_in(out, LogitBackward0, input, x=x, eps=eps)


# ---- piecewise-constant and rounding -----------------------------------------------------------------
def _sign_array(arr):
    if arr.dtype == np.bool_:
        return arr.copy()
    out = np.sign(arr)
    if arr.dtype.kind == "f":
        out[np.isnan(arr)] = 0  # PyTorch: sign(nan) = 0
    return out


@tensor_method()
def sign(input):
    return record(_sign_array(input._data), SignBackward0, (input,))


@tensor_method()
def sgn(input):
    return record(_sign_array(input._data), SgnBackward0, (input,))


def _rounding(np_fn, kernel_name, node_cls):
    def op(input):
        arr = input._data
        if arr.dtype.kind != "f":
            if arr.dtype == np.bool_:
                raise _not_implemented_for(kernel_name, arr.dtype)
            return Tensor._make(arr.copy())
        return record(np_fn(arr), node_cls, (input,))
    return op


floor = tensor_method("floor")(_rounding(np.floor, "floor_vml_cpu", FloorBackward0))
ceil = tensor_method("ceil")(_rounding(np.ceil, "ceil_vml_cpu", CeilBackward0))
trunc = fix = tensor_method("trunc", "fix")(_rounding(np.trunc, "trunc_vml_cpu", TruncBackward0))
_round_half_even = _rounding(np.rint, "round_vml_cpu", RoundBackward0)
floor.__name__, ceil.__name__, trunc.__name__ = "floor", "ceil", "trunc"


@tensor_method()
def round(input, *, decimals=0):
    """Round half to even; ``decimals`` rounds to that many decimal places (negative: tens, hundreds, ...)."""
    if decimals == 0:
        return _round_half_even(input)
    arr = input._data
    if arr.dtype.kind != "f":
        raise _not_implemented_for("round_cpu", arr.dtype)
    return record(np.round(arr, decimals), RoundBackward1, (input,))


@tensor_method()
def frac(input):
    arr = input._data
    if arr.dtype.kind != "f":
        raise _not_implemented_for("frac_cpu", arr.dtype)
    return record(arr - np.trunc(arr), FracBackward0, (input,))


@tensor_method()
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    arr = input._data
    if arr.dtype.kind != "f":
        return Tensor._make(arr.copy())
    out = np.nan_to_num(arr, nan=nan, posinf=posinf, neginf=neginf)
    return _record_in(out, NanToNumBackward0, input, x=arr)


@tensor_method()
def heaviside(input, values):
    _require_tensors("heaviside", input, values, "values")
    x, v = input._data, values._data
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    out = _apply2(lambda a, b: np.where(a == 0, b, a > 0).astype(a.dtype, copy=False), x, v)
    return record(out, _HeavisideBackward, (input, values))


# ---- floating-point class tests (bool results, never differentiable) --------------------------------
def _float_test(np_fn, non_float_value):
    def op(input):
        arr = input._data
        if arr.dtype.kind == "f":
            return Tensor._make(np_fn(arr))
        return Tensor._make(np.full(arr.shape, non_float_value))
    return op


isnan = tensor_method("isnan")(_float_test(np.isnan, False))
isinf = tensor_method("isinf")(_float_test(np.isinf, False))
isposinf = tensor_method("isposinf")(_float_test(np.isposinf, False))
isneginf = tensor_method("isneginf")(_float_test(np.isneginf, False))
isfinite = tensor_method("isfinite")(_float_test(np.isfinite, True))
isreal = tensor_method("isreal")(_float_test(lambda a: np.ones(a.shape, dtype=bool), True))
for _fn, _name in ((isnan, "isnan"), (isinf, "isinf"), (isposinf, "isposinf"), (isneginf, "isneginf"),
                   (isfinite, "isfinite"), (isreal, "isreal")):
    _fn.__name__ = _name


@tensor_method()
def signbit(input):
    arr = input._data
    if arr.dtype.kind == "f":
        return Tensor._make(np.signbit(arr))
    return Tensor._make(arr < 0 if arr.dtype.kind == "i" else np.zeros(arr.shape, dtype=bool))


# ---- binary functions --------------------------------------------------------------------------------
@tensor_method("atan2", "arctan2")
def atan2(input, other):
    _require_tensors("atan2", input, other)
    y, x = _float_pair(input, other)
    res = record(_apply2(np.arctan2, y, x), Atan2Backward0, (input, other), y=y, x=x)
    return _save_read(res, input, other)


arctan2 = atan2


def _float_only_pair(fname, input, other):
    _require_tensors(fname, input, other)
    x, y = binary_arrays(input, other)
    if x.dtype.kind != "f":
        raise _not_implemented_for(f"{fname}_cpu", x.dtype if x.dtype.itemsize >= y.dtype.itemsize else y.dtype)
    return x, y


@tensor_method()
def hypot(input, other):
    x, y = _float_only_pair("hypot", input, other)
    out = _apply2(np.hypot, x, y)
    return _save_read(record(out, HypotBackward0, (input, other), x=x, y=y, result=out), input, other)


@tensor_method()
def logaddexp(input, other):
    x, y = _float_only_pair("logaddexp", input, other)
    out = _apply2(np.logaddexp, x, y)
    return _save_read(record(out, LogaddexpBackward0, (input, other), x=x, y=y, result=out), input, other)


@tensor_method()
def logaddexp2(input, other):
    x, y = _float_only_pair("logaddexp2", input, other)
    out = _apply2(np.logaddexp2, x, y)
    return _save_read(record(out, Logaddexp2Backward0, (input, other), x=x, y=y, result=out), input, other)


def _xlogy_array(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), 0, out).astype(out.dtype, copy=False)


@tensor_method()
def xlogy(input, other):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected at least one Tensor argument")
    x, y = _float_pair(input, other)
    node = XlogyBackward0 if isinstance(input, Tensor) and isinstance(other, Tensor) else (
        XlogyBackward2 if isinstance(input, Tensor) else XlogyBackward1)
    res = record(_apply2(_xlogy_array, x, y), node, (input, other), x=x, y=y)
    return _save_read(res, input, other)


def _extremum(fname, np_fn, node_cls):
    def op(input, other):
        _require_tensors(fname, input, other)
        x, y = binary_arrays(input, other)
        res = record(_apply2(np_fn, x, y), node_cls, (input, other), x=x, y=y)
        return _save_read(res, input, other)
    op.__name__ = fname
    return op


maximum = tensor_method("maximum")(_extremum("maximum", np.maximum, MaximumBackward0))
minimum = tensor_method("minimum")(_extremum("minimum", np.minimum, MinimumBackward0))
fmax = tensor_method("fmax")(_extremum("fmax", np.fmax, FmaxBackward0))
fmin = tensor_method("fmin")(_extremum("fmin", np.fmin, FminBackward0))


# ---- clamp -------------------------------------------------------------------------------------------
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
        lo = np.asarray(min._data if isinstance(min, Tensor) else min).astype(res_dtype, copy=False)
    if max is not None:
        hi = np.asarray(max._data if isinstance(max, Tensor) else max).astype(res_dtype, copy=False)
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
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input._data
    if x.dtype.kind == "f" and type(min) in _NUMBER_OR_NONE and type(max) in _NUMBER_OR_NONE:
        # Hot path: float tensor and number bounds keep the tensor's dtype (numpy's weak scalars do the same).
        out = x if min is None else np.maximum(x, min)
        if max is not None:
            out = np.minimum(out, max)
        return _record_in(out, ClampBackward1, input, x=x, lo=min, hi=max)
    x, lo, hi = _clamp_arrays(input, min, max, "clamp")
    out = _bounded(x, lo, hi)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = record(out, ClampBackward0, (input, min, max), x=x, lo=lo, hi=hi)
        return _save_read(res, input, min, max)
    return _record_in(out, ClampBackward1, input, x=x, lo=min, hi=max)


clip = clamp


@tensor_method()
def clamp_min(input, min):
    x, lo, _ = _clamp_arrays(input, min, None, "clamp_min")
    out = _bounded(x, lo, None)
    if isinstance(min, Tensor):
        return _save_read(record(out, ClampMinBackward1, (input, min), x=x, lo=lo), input, min)
    return _record_in(out, ClampMinBackward0, input, x=x, lo=min)


@tensor_method()
def clamp_max(input, max):
    x, _, hi = _clamp_arrays(input, None, max, "clamp_max")
    out = _bounded(x, None, hi)
    if isinstance(max, Tensor):
        return _save_read(record(out, ClampMaxBackward1, (input, max), x=x, hi=hi), input, max)
    return _record_in(out, ClampMaxBackward0, input, x=x, hi=max)


# ---- where, lerp, addcmul, addcdiv -------------------------------------------------------------------
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
        x, y = np.asarray(input, dtype=res_dtype), np.asarray(other, dtype=res_dtype)
    try:
        out = np.where(c, x, y)
    except ValueError:
        raise broadcast_error(c.shape, np.shape(x), np.shape(y)) from None
    res = record(out, WhereBackward0, (input, other), cond=c)
    return _save_read(res, condition)


@tensor_method("where")
def _where_method(self, condition, other):
    return where(condition, self, other)


@tensor_method()
def lerp(input, end, weight):
    """``input + weight * (end - input)``, evaluated from the nearer end for accuracy as PyTorch does."""
    _require_tensors("lerp", input, end, "end")
    a, b = input._data, end._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected dtype {_c_name(a.dtype)} for `end` but got dtype {_c_name(b.dtype)}")
    if a.dtype.kind != "f":
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
        res = record(out, LerpBackward1, (input, end, weight), start=a, end=b, weight=w)
        if res.grad_fn is not None:
            ins = res.grad_fn.inputs
            read = (weight,) if ins[0] is not None or ins[1] is not None else ()
            res.grad_fn.save_versions(*read, *((input, end) if ins[2] is not None else ()))
        return res
    diff = _apply2(np.subtract, b, a)
    out = a + weight * diff if builtins.abs(weight) < 0.5 else b - diff * (1 - weight)
    return record(out.astype(a.dtype, copy=False), LerpBackward0, (input, end), weight=weight)


def _c_name(np_dtype):
    """dtype names as PyTorch's C++ errors spell them."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}[
        np.dtype(np_dtype).name]


def _ternary_arrays(input, t1, t2, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    for pos, (name, t) in enumerate((("tensor1", t1), ("tensor2", t2)), start=2):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    res_dtype = dt.result_type(input, t1, t2).np
    return tuple(t._data.astype(res_dtype, copy=False) for t in (input, t1, t2))


@tensor_method()
def addcmul(input, tensor1, tensor2, *, value=1):
    x, a, b = _ternary_arrays(input, tensor1, tensor2, "addcmul")
    if x.dtype == np.bool_:
        raise _not_implemented_for("addcmul_cpu_out", x.dtype)
    try:
        prod = a * b
        out = x + (prod if value == 1 else value * prod)
    except ValueError:
        raise broadcast_error(x.shape, a.shape, b.shape) from None
    res = record(out.astype(x.dtype, copy=False), AddcmulBackward0, (input, tensor1, tensor2), t1=a, t2=b,
                 value=value)
    if res.grad_fn is not None:
        ins = res.grad_fn.inputs
        res.grad_fn.save_versions(tensor1 if ins[2] is not None else None, tensor2 if ins[1] is not None else None)
    return res


@tensor_method()
def addcdiv(input, tensor1, tensor2, *, value=1):
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
    res = record(out.astype(x.dtype, copy=False), AddcdivBackward0, (input, tensor1, tensor2), t1=a, t2=b,
                 value=value)
    if res.grad_fn is not None:
        ins = res.grad_fn.inputs
        res.grad_fn.save_versions(tensor1 if ins[2] is not None else None,
                                  tensor2 if ins[1] is not None or ins[2] is not None else None)
    return res


# ---- in-place variants -------------------------------------------------------------------------------
def history_alias(t, copy_data):
    """A stand-in carrying ``t``'s graph position (and, if asked, a snapshot of its values).

    An in-place op computes out of place from this alias, so its node never points at ``t`` itself (``t``
    takes the new node as its grad_fn: pointing at ``t`` would make a cycle), and a backward that reads the
    old values reads the snapshot rather than the overwritten storage -- as PyTorch does.
    """
    a = Tensor._make(t._data.copy() if copy_data else t._data, t.grad_fn, t._output_nr)
    a._requires_grad = t._requires_grad
    return a


def _inplace(name, fn, reads_input):
    def method(self, *args, **kwargs):
        src = self
        if needs_grad(self, *args, *kwargs.values()):
            src = history_alias(self, reads_input)
        return apply_inplace(self, fn(src, *args, **kwargs))
    method.__name__ = name
    setattr(Tensor, name, method)
    return method


# (name, function, whether backward reads the input's values)
for _name, _fn, _reads in (
        ("abs_", abs, True), ("absolute_", abs, True), ("exp_", exp, False), ("exp2_", exp2, False),
        ("expm1_", expm1, False), ("log_", log, True), ("log2_", log2, True), ("log10_", log10, True),
        ("log1p_", log1p, True), ("sqrt_", sqrt, False), ("rsqrt_", rsqrt, False), ("square_", square, True),
        ("reciprocal_", reciprocal, False), ("sin_", sin, True), ("cos_", cos, True), ("tan_", tan, False),
        ("asin_", asin, True), ("arcsin_", asin, True), ("acos_", acos, True), ("arccos_", acos, True),
        ("atan_", atan, True), ("arctan_", atan, True), ("sinh_", sinh, True), ("cosh_", cosh, True),
        ("asinh_", asinh, True), ("arcsinh_", asinh, True), ("acosh_", acosh, True), ("arccosh_", acosh, True),
        ("atanh_", atanh, True), ("arctanh_", atanh, True), ("tanh_", tanh, False), ("sigmoid_", sigmoid, False),
        ("relu_", relu, False), ("erf_", erf, True), ("erfc_", erfc, True), ("erfinv_", erfinv, False),
        ("sinc_", sinc, True), ("logit_", logit, True), ("sign_", sign, False), ("sgn_", sgn, False),
        ("floor_", floor, False), ("ceil_", ceil, False), ("round_", round, False), ("trunc_", trunc, False),
        ("fix_", trunc, False), ("frac_", frac, False), ("nan_to_num_", nan_to_num, True),
        ("clamp_", clamp, True), ("clip_", clamp, True), ("clamp_min_", clamp_min, True),
        ("clamp_max_", clamp_max, True), ("atan2_", atan2, True), ("arctan2_", atan2, True),
        ("hypot_", hypot, True), ("xlogy_", xlogy, True), ("lerp_", lerp, True), ("addcmul_", addcmul, True),
        ("addcdiv_", addcdiv, True), ("heaviside_", heaviside, False)):
    globals()[_name] = _inplace(_name, _fn, _reads)
del _name, _fn, _reads
