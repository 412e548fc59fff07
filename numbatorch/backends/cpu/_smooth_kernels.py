"""Smooth activations built on a vectorisable ``exp`` as Numba kernels: SiLU, forward and backward.

Their numpy forms are chains of passes (``x / (1 + np.exp(-x))``, and five more for the gradient) on one thread:
SiLU's forward and backward on 8 MiB took 7.6x PyTorch's time. Here one loop per direction computes in the
array's dtype with ``_vector_exp32.exp32`` (float32) or ``_vector_exp.exp`` (float64), which LLVM vectorises where
``math.exp`` (a libm call) keeps loops scalar, split over Numba's threads. The exps are within 2 ulp (float32) and
1 ulp (float64) of numpy's, so results differ from the numpy forms in the last bits, not in meaning (tested
against them and PyTorch); for that reason there is no numpy stand-in, and a first call compiles (``python -m
numbatorch warmup`` caches the builds). Float32/float64 only; other dtypes keep the numpy forms.
"""
import numpy as np

from ._arithmetic_kernels import FLOAT_DTYPES
from ._float_math import vector_exp as _exp
from ._parallel import choose, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES


def _make_silu(loop):
    def silu(x, one, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = v / (one + _exp(-v))
    return silu


def _make_silu_backward(loop):
    def silu_backward(grad, x, one, out):
        for i in loop(x.size):
            v = x[i]
            s = one / (one + _exp(-v))
            out[i] = grad[i] * s * (one + v * (one - s))
    return silu_backward


_SILU = twin_kernels(_make_silu)
_SILU_BACKWARD = twin_kernels(_make_silu_backward)


def _run(twin, arrays):
    """``twin`` over the flat ``arrays`` of one float dtype and shape, and 1 in that dtype; None where it does not
    apply."""
    like = arrays[-1]
    if like.dtype not in FLOAT_DTYPES or any(type(a) is not np.ndarray or a.dtype != like.dtype or
                                             a.shape != like.shape for a in arrays):
        return None
    out = np.empty(like.shape, like.dtype)
    flat = [a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1) for a in arrays]
    choose(twin, out.nbytes, MIN_BACKWARD_BYTES)(*flat, like.dtype.type(1), out.reshape(-1))
    return out


def silu(x):
    """``x / (1 + exp(-x))``."""
    out = _run(_SILU, (x,))
    return (x / (1 + np.exp(-x))).astype(x.dtype, copy=False) if out is None else out


def silu_backward(grad, x):
    """``grad * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    out = _run(_SILU_BACKWARD, (grad, x))
    if out is None:
        s = 1 / (1 + np.exp(-x))
        return grad * s * (1 + x * (1 - s))
    return out
