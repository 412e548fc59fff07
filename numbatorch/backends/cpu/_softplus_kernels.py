"""Softplus, log-sigmoid and Mish as Numba kernels, forward and backward.

Their numpy forms chain passes (``np.logaddexp``, ``np.tanh``, ``np.exp``, selections) on one thread: forward
and backward on 8 MiB of float32 took 15-17x PyTorch's time (Mish 9.6x). Here each direction is one loop in the
array's own float type on ``_float_math``'s vectorisable ``vector_exp`` and ``vector_log1p``, split over Numba's
threads: about PyTorch's time (Mish a fifth of it). Softplus and log-sigmoid are ``max(z, 0) + log1p(e)`` and
``min(x, 0) - log1p(e)`` with ``e = exp(-|z|)``, which never overflows; their gradients are sigmoids made from
the same ``e``. Mish's ``tanh(softplus(x))`` is ``n / (n + 2)`` with ``n = e**x * (e**x + 2)`` (tanh of a log,
written out), one exp and no tanh.

Size rule: below ``MIN_BACKWARD_BYTES`` of output the functions return None and the ops keep their numpy forms,
bit for bit: small models (the tutorials) keep their numbers and compile none of these kernels at cold start.
From there on results may differ from the numpy forms in the last bits (within a few ulp of the exact values,
tested against float64 and PyTorch); infinities, NaN and signed zeros follow PyTorch. Float32/float64 only
(None for other dtypes).
"""
from ._float_math import one_like, vector_exp, vector_log1p
from ._parallel import CONTRACT, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES, map_arrays

# Mish is x from here on in either float type: tanh(softplus(x)) rounds to 1, and so does its gradient
# (1 + x * 4 e**(-2x) < 1 + 2**-53 from x = 22).
MISH_LINEAR_FROM = 22.0


def _make_softplus(loop):
    def softplus(x, beta, threshold, out):
        for i in loop(x.size):
            v = x[i]
            z = v * beta
            tail = vector_log1p(vector_exp(-abs(z)))
            out[i] = v if z > threshold else (z + tail if z > 0 else tail) / beta
    return softplus


def _make_softplus_backward(loop):
    def softplus_backward(grad, x, beta, threshold, out):
        for i in loop(x.size):
            z = x[i] * beta
            e = vector_exp(-abs(z))
            one = one_like(z)
            out[i] = grad[i] if z > threshold else grad[i] * ((one if z > 0 else e) / (one + e))
    return softplus_backward


def _make_logsigmoid(loop):
    def logsigmoid(x, out):
        for i in loop(x.size):
            v = x[i]
            one = one_like(v)
            # min(x, 0) in x's type: 0 - log1p(...) is +0.0 for large x, as PyTorch's
            out[i] = (v if v < 0 else one - one) - vector_log1p(vector_exp(-abs(v)))
    return logsigmoid


def _make_logsigmoid_backward(loop):
    def logsigmoid_backward(grad, x, out):
        for i in loop(x.size):
            v = x[i]
            e = vector_exp(-abs(v))
            one = one_like(v)
            out[i] = grad[i] * ((one if v < 0 else e) / (one + e))
    return logsigmoid_backward


def _make_mish(loop):
    def mish(x, linear_from, out):
        for i in loop(x.size):
            v = x[i]
            one = one_like(v)
            two = one + one
            e = vector_exp(v)
            n = e * (e + two)
            out[i] = v * (one if v > linear_from else n / (n + two))
    return mish


def _make_mish_backward(loop):
    def mish_backward(grad, x, linear_from, out):
        for i in loop(x.size):
            v = x[i]
            one = one_like(v)
            two = one + one
            e = vector_exp(v)
            n = e * (e + two)
            d = n + two
            t = n / d
            s = e / (one + e)
            one_minus_t2 = two / d * (one + t)  # (1 - t)(1 + t), with 1 - t = 2 / d: no cancellation
            if v > linear_from:  # 1 + x * 0: 1, and NaN at x = inf as PyTorch's
                t, s, one_minus_t2 = one, one, one - one
            out[i] = grad[i] * (t + v * s * one_minus_t2)
    return mish_backward


_SOFTPLUS = twin_kernels(_make_softplus, fastmath=CONTRACT)
_SOFTPLUS_BACKWARD = twin_kernels(_make_softplus_backward, fastmath=CONTRACT)
_LOGSIGMOID = twin_kernels(_make_logsigmoid, fastmath=CONTRACT)
_LOGSIGMOID_BACKWARD = twin_kernels(_make_logsigmoid_backward, fastmath=CONTRACT)
_MISH = twin_kernels(_make_mish, fastmath=CONTRACT)
_MISH_BACKWARD = twin_kernels(_make_mish_backward, fastmath=CONTRACT)


def _run(kernel, arrays, scalars=()):
    """``map_arrays``'s result from ``MIN_BACKWARD_BYTES`` of output on; None below, for the numpy form."""
    return None if arrays[-1].nbytes < MIN_BACKWARD_BYTES else map_arrays(kernel, arrays, scalars)


def softplus(x, beta, threshold):
    """``log(1 + exp(beta * x)) / beta``, ``x`` where ``beta * x > threshold``; or None."""
    return _run(_SOFTPLUS, (x,), (beta, threshold))


def softplus_backward(grad, x, beta, threshold):
    """``grad * sigmoid(beta * x)``, ``grad`` where ``beta * x > threshold``; or None."""
    return _run(_SOFTPLUS_BACKWARD, (grad, x), (beta, threshold))


def logsigmoid(x):
    """``log(sigmoid(x))``; or None."""
    return _run(_LOGSIGMOID, (x,))


def logsigmoid_backward(grad, x):
    """``grad * sigmoid(-x)``; or None."""
    return _run(_LOGSIGMOID_BACKWARD, (grad, x))


def mish(x):
    """``x * tanh(softplus(x))``; or None."""
    return _run(_MISH, (x,), (MISH_LINEAR_FROM,))


def mish_backward(grad, x):
    """``grad * (t + x * sigmoid(x) * (1 - t * t))`` with ``t = tanh(softplus(x))``; or None."""
    return _run(_MISH_BACKWARD, (grad, x), (MISH_LINEAR_FROM,))
