"""MSE, L1, smooth L1 and Huber losses as Numba kernels: the loss (elementwise, or its mean or sum in one pass)
and the gradients of input and target in one pass.

All four are one family in z = |x - y|: ``quad * z * z`` below ``beta``, ``(z - offset) * slope`` from it on
(``Terms``). MSE has beta = inf (its slope, inf, only meets z = inf, where the loss is inf), L1 beta = 0, and
Huber is smooth L1 scaled by its delta. The gradient is ``2 * quad * d`` below beta and ``sign(d) * slope`` from
it (d = x - y; PyTorch's sign: 0 at d = 0), NaN for NaN (0 for L1, whose sign PyTorch takes), and the target's
is its negation. The numpy forms chain passes on one thread, then reduce in another: forward and backward on
8 MiB of float32 took 1.7x (L1) to 5.8x (smooth L1) PyTorch's time; these kernels take 0.45-0.85x.

A mean or sum is formed in the forward pass: each chunk of ``CHUNK`` elements sums its elementwise values in
float64 (in vector lanes, in the order the compiled loop takes), and the chunks' sums are added in a fixed order,
so the result does not depend on the thread count; its gradient is one number, which the backward takes as a
scalar. The size rule and dtypes are ``_softplus_kernels``': below ``MIN_BACKWARD_BYTES`` of input, for other
dtypes, or where input and target differ in dtype or shape (broadcasting), the functions return None and the
caller keeps its numpy form, bit for bit.
"""
import math
from collections import namedtuple

import numpy as np
from numba import njit

from ._parallel import CONTRACT, choose, twin_kernels
from .pointwise import KERNEL_DTYPES, MIN_BACKWARD_BYTES

CHUNK = 1 << 14

Terms = namedtuple("Terms", ["beta", "quad", "offset", "slope"])
MSE = Terms(math.inf, 1.0, 0.0, math.inf)
L1 = Terms(0.0, 0.0, 0.0, 1.0)


def smooth_l1_terms(beta, scale):
    """Smooth L1 with ``beta`` times ``scale``: Huber with delta is ``smooth_l1_terms(delta, delta)``."""
    return Terms(beta, 0.5 * scale / beta if beta else 0.0, 0.5 * beta, scale)


@njit(cache=True, error_model="numpy", inline="always")
def _term(d, beta, quad, offset, slope):
    z = abs(d)
    return z * z * quad if z < beta else (z - offset) * slope


@njit(cache=True, error_model="numpy", inline="always")
def _gradient(d, beta, inside, outside, if_nan):
    if abs(d) < beta:
        return d * inside
    g = outside if d > 0 else (-outside if d < 0 else d - d)  # d - d: 0 in d's type
    return if_nan if d != d else g


def _make_loss(loop):
    def loss(x, y, beta, quad, offset, slope, out):
        for i in loop(x.size):
            out[i] = _term(x[i] - y[i], beta, quad, offset, slope)
    return loss


def _make_sums(loop):
    def sums(x, y, beta, quad, offset, slope, partials):
        for c in loop(partials.size):
            # slices: indices from 0 need no negative-index fix-up, which kept a loop from c * CHUNK scalar (3x)
            xs, ys = x[c * CHUNK:(c + 1) * CHUNK], y[c * CHUNK:(c + 1) * CHUNK]
            s = 0.0
            for j in range(xs.size):
                s += _term(xs[j] - ys[j], beta, quad, offset, slope)
            partials[c] = s
    return sums


def _make_backward(per_element, target):
    """The gradient kernel: ``grad`` an array (``per_element``) or unused (the scalar folded into the
    coefficients); the target's gradient written too, or ``gy`` unused. The flags are compile-time constants."""
    def make(loop):
        def backward(grad, x, y, beta, inside, outside, if_nan, gx, gy):
            for i in loop(x.size):
                g = _gradient(x[i] - y[i], beta, inside, outside, if_nan)
                if per_element:
                    g = g * grad[i]
                gx[i] = g
                if target:
                    gy[i] = -g
        return backward
    return make


_LOSS = twin_kernels(_make_loss, fastmath=CONTRACT)
# reassoc lets the compiler split each chunk's sum over vector lanes (explicit interleaved sums stayed scalar: 3x)
_SUMS = twin_kernels(_make_sums, fastmath=CONTRACT | {"reassoc"})
_BACKWARD = {(per_element, target): twin_kernels(_make_backward(per_element, target), fastmath=CONTRACT)
             for per_element in (False, True) for target in (False, True)}


def _takes(x, y):
    """Whether the kernels run: from ``MIN_BACKWARD_BYTES`` on, x and y of one float32/float64 dtype and shape."""
    return (type(x) is np.ndarray and x.dtype in KERNEL_DTYPES and x.nbytes >= MIN_BACKWARD_BYTES
            and type(y) is np.ndarray and y.dtype == x.dtype and y.shape == x.shape)


def _flat(a):
    return a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1)


def _cast(x, values):
    return tuple(x.dtype.type(v) for v in values)


def weight(x, reduction):
    """The factor a reduction puts on each element's loss: None for 'none' (no reduction)."""
    return None if reduction == "none" else 1.0 / x.size if reduction == "mean" else 1.0


def loss(x, y, terms, reduction):
    """The loss of ``x`` and ``y``: elementwise for ``reduction='none'``, else a 0-d array; or None."""
    if reduction not in ("none", "mean", "sum") or not _takes(x, y):
        return None
    flat = (_flat(x), _flat(y), *_cast(x, terms))
    if reduction == "none":
        out = np.empty(x.shape, x.dtype)
        choose(_LOSS, x.nbytes, MIN_BACKWARD_BYTES)(*flat, out.reshape(-1))
        return out
    partials = np.empty(-(-x.size // CHUNK))
    choose(_SUMS, x.nbytes, MIN_BACKWARD_BYTES)(*flat, partials)
    total = partials.sum()  # numpy's pairwise order over the chunks: fixed by the size alone
    return np.array(total / x.size if reduction == "mean" else total, x.dtype)


def loss_backward(grad, x, y, terms, weight, target_grad):
    """``(input's gradient, target's gradient or None)`` of the loss for ``grad`` (elementwise, or one number
    broadcast: a reduced loss's, which ``weight`` then scales); or None."""
    if not _takes(x, y) or type(grad) is not np.ndarray:
        return None
    scalar = grad.size == 1 or (grad.shape == x.shape and not any(grad.strides))
    if not scalar and (grad.shape != x.shape or grad.dtype != x.dtype):
        return None
    g = (float(grad.reshape(-1)[0]) if scalar else 1.0) * (1.0 if weight is None else weight)
    if_nan = 0.0 if terms.beta == 0 else math.nan  # L1's gradient is PyTorch's sign: 0 for NaN
    coefficients = _cast(x, (terms.beta, 2.0 * terms.quad * g, terms.slope * g, if_nan))
    gx = np.empty(x.shape, x.dtype)
    gy = np.empty(x.shape, x.dtype) if target_grad else gx[:1].reshape(-1)
    flat_grad = gx[:1].reshape(-1) if scalar else _flat(grad)
    choose(_BACKWARD[not scalar, target_grad], x.nbytes, MIN_BACKWARD_BYTES)(
        flat_grad, _flat(x), _flat(y), *coefficients, gx.reshape(-1), gy.reshape(-1))
    return gx, gy if target_grad else None
