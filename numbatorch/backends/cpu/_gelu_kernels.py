"""GELU, exact (``x * Phi(x)``) and by the tanh approximation, forward and backward, as Numba kernels.

The numpy forms take about ten passes on one thread, the exact one through ``math.erf`` (a libm call, scalar):
forward and backward on 8 MiB of float32 took 15x PyTorch's time (the tanh form 4.9x). Here one loop per direction
computes in the array's dtype on the vectorisable ``_float_math.normal_cdf_pdf`` and ``vector_exp``, with fused
multiply-adds, split over Numba's threads. Phi comes accurate in both tails (PyTorch's ``0.5 * (1 + erf(x /
sqrt(2)))`` cancels to 0 below x = -5.5 in float32), and the tanh form uses 1 + tanh(u) = 2 / (1 + exp(-2u)), which
has no cancellation either. Results are within a few ulp of the exact values, not bit-identical with the numpy
forms, so callers keep those below ``MIN_BYTES`` (small tensors keep their numbers, and no compile is added to a
small model's start). Float32/float64 only.
"""
import math

from ._float_math import as_type_of, normal_cdf_pdf, one_like, vector_exp
from ._parallel import CONTRACT, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES, map_arrays

# Output size from which the kernels run; below it the callers' numpy forms.
MIN_BYTES = MIN_BACKWARD_BYTES
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715
# Above this u, exp(-2u) < e**-86: (1 - sigmoid) no longer shows, and float32's exp stops at 2**-126 instead of 0.
_SATURATED = 43.0


def _make_gelu(loop):
    def gelu(x, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = v * normal_cdf_pdf(v)[0]
    return gelu


def _make_gelu_backward(loop):
    def gelu_backward(grad, x, out):
        for i in loop(x.size):
            v = x[i]
            cdf, pdf = normal_cdf_pdf(v)
            out[i] = grad[i] * (cdf + v * pdf)
    return gelu_backward


def _make_gelu_tanh(loop):
    def gelu_tanh(x, out):
        for i in loop(x.size):
            v = x[i]
            u = as_type_of(_SQRT_2_OVER_PI, v) * (v + as_type_of(_CUBIC, v) * (v * v * v))
            out[i] = v / (one_like(v) + vector_exp(-(u + u)))  # 0.5 * v * (1 + tanh(u))
    return gelu_tanh


def _make_gelu_tanh_backward(loop):
    def gelu_tanh_backward(grad, x, out):
        for i in loop(x.size):
            v = x[i]
            one = one_like(v)
            u = as_type_of(_SQRT_2_OVER_PI, v) * (v + as_type_of(_CUBIC, v) * (v * v * v))
            e = vector_exp(-(u + u))
            s = one / (one + e)  # (1 + tanh(u)) / 2
            rest = e * s if e < one else one - s  # (1 - tanh(u)) / 2 without cancellation
            if u > as_type_of(_SATURATED, v):
                rest = as_type_of(0.0, v)
            d_inner = as_type_of(_SQRT_2_OVER_PI, v) * (one + as_type_of(3 * _CUBIC, v) * (v * v))
            # PyTorch's 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * d_inner with 1 -+ t = 2 * (s or rest)
            out[i] = grad[i] * (s + (v + v) * d_inner * (s * rest))
    return gelu_tanh_backward


_GELU = twin_kernels(_make_gelu, fastmath=CONTRACT)
_GELU_BACKWARD = twin_kernels(_make_gelu_backward, fastmath=CONTRACT)
_GELU_TANH = twin_kernels(_make_gelu_tanh, fastmath=CONTRACT)
_GELU_TANH_BACKWARD = twin_kernels(_make_gelu_tanh_backward, fastmath=CONTRACT)


def gelu(x, approximate):
    """``F.gelu`` of a float32/float64 array from ``MIN_BYTES`` on; None for the caller's numpy form."""
    if x.nbytes < MIN_BYTES:
        return None
    return map_arrays(_GELU_TANH if approximate == "tanh" else _GELU, (x,))


def gelu_backward(grad, x, approximate):
    """``F.gelu``'s input gradient from ``MIN_BYTES`` on; None for the caller's numpy form."""
    if x.nbytes < MIN_BYTES:
        return None
    return map_arrays(_GELU_TANH_BACKWARD if approximate == "tanh" else _GELU_BACKWARD, (grad, x))
