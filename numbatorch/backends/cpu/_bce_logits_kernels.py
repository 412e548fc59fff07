"""Binary cross entropy with logits as Numba kernels: the elementwise loss and its gradients for input and target.

The numpy forms take a dozen passes (two ``np.logaddexp``, the products with the target and ``pos_weight``) on
one thread: 14x PyTorch's time on 8 MiB of float32, forward and backward (mean). Here each is one loop on
``_float_math``'s vectorisable ``vector_exp`` and ``vector_log1p``, split over Numba's threads (0.6-0.8x),
with ``pos_weight`` entering as ``a = pos_weight * target`` (``a = target`` without it), and the loss's weight
and an upstream gradient that is not one number multiplied in afterwards.

With ``L = log1p(exp(-|x|))``, ``lw = 1 - y + a`` and PyTorch's loss ``(1 - y) x - lw log_sigmoid(x)``:
the loss is ``lw L + (1 - y) x`` for x >= 0 and ``lw L - a x`` for x < 0 (log_sigmoid(x) = min(x, 0) - L,
written per sign so that nothing cancels where the loss is small: PyTorch's float32 form gives 0 for
x = -30, y = 0, where the loss is 9.4e-14). Likewise the input's gradient ``lw sigmoid(x) - a`` is
``(1 - y) - lw q`` for x >= 0 and ``lw q - a`` for x < 0 with ``q = sigmoid(-|x|)``, and the target's,
``-x - (pw - 1) log_sigmoid(x)``, is ``(pw - 1) L - x`` for x >= 0 and ``(pw - 1) L - pw x`` for x < 0.
Infinities and NaN come out as PyTorch's.

The size rule and dtypes are ``_softplus_kernels``': below ``MIN_BACKWARD_BYTES`` of loss, or for arrays the
kernels do not take, the functions return None and the caller keeps its numpy form, bit for bit.
"""
import numpy as np

from ._float_math import one_like, vector_exp, vector_log1p
from ._parallel import CONTRACT, twin_kernels
from .pointwise import KERNEL_DTYPES, MIN_BACKWARD_BYTES, map_arrays


def _make_loss(loop):
    def loss(x, y, a, out):
        for i in loop(x.size):
            v, t, p = x[i], y[i], a[i]
            one = one_like(v)
            tail = vector_log1p(vector_exp(-abs(v)))
            out[i] = (one - t + p) * tail + ((one - t) * v if v >= 0 else -p * v)
    return loss


def _make_grad_input(loop):
    def grad_input(x, y, a, g, out):
        for i in loop(x.size):
            v, t, p = x[i], y[i], a[i]
            one = one_like(v)
            e = vector_exp(-abs(v))
            q = e / (one + e)
            lw = one - t + p
            out[i] = g * ((one - t) - lw * q if v >= 0 else lw * q - p)
    return grad_input


def _make_grad_target(loop):
    def grad_target(x, pos_weight, g, out):
        for i in loop(x.size):
            v, w = x[i], pos_weight[i]
            tail = vector_log1p(vector_exp(-abs(v)))
            out[i] = g * ((w - one_like(v)) * tail - (v if v >= 0 else w * v))
    return grad_target


_LOSS = twin_kernels(_make_loss, fastmath=CONTRACT)
_GRAD_INPUT = twin_kernels(_make_grad_input, fastmath=CONTRACT)
_GRAD_TARGET = twin_kernels(_make_grad_target, fastmath=CONTRACT)


def _takes(x, y, pos_weight, weight):
    """Whether the kernels run: from ``MIN_BACKWARD_BYTES`` on, x and y of one float32/float64 dtype and shape,
    ``pos_weight`` and ``weight`` arrays of that dtype broadcasting to x's shape (or None)."""
    if (type(x) is not np.ndarray or x.dtype not in KERNEL_DTYPES or x.nbytes < MIN_BACKWARD_BYTES
            or type(y) is not np.ndarray or y.dtype != x.dtype or y.shape != x.shape):
        return False
    for w in (pos_weight, weight):
        if w is not None and (type(w) is not np.ndarray or w.dtype != x.dtype or w.ndim > x.ndim
                              or any(n not in (1, m) for n, m in zip(w.shape[::-1], x.shape[::-1]))):
            return False
    return True


def _weighted_target(y, pos_weight):
    return y if pos_weight is None else pos_weight * y


def loss(x, y, pos_weight, weight):
    """The elementwise loss of logits ``x`` and targets ``y``, times ``weight``; or None."""
    if not _takes(x, y, pos_weight, weight):
        return None
    out = map_arrays(_LOSS, (x, y, _weighted_target(y, pos_weight)))
    if weight is not None:
        np.multiply(out, weight, out=out)
    return out


def loss_backward(grad, x, y, pos_weight, weight, target_grad):
    """``(input's gradient, target's gradient or None)`` for the loss's gradient ``grad``; or None."""
    if not _takes(x, y, pos_weight, weight) or type(grad) is not np.ndarray or grad.dtype != x.dtype \
            or grad.shape != x.shape:
        return None
    # a mean's or sum's gradient is one number broadcast: the kernels take it as a scalar, no 8 MiB copy
    scalar = not any(grad.strides)
    g = grad.flat[0] if scalar else 1
    grads = [map_arrays(_GRAD_INPUT, (x, y, _weighted_target(y, pos_weight)), (g,))]
    if target_grad:
        grads.append(np.multiply(x, -x.dtype.type(g)) if pos_weight is None else
                     map_arrays(_GRAD_TARGET, (x, np.broadcast_to(pos_weight, x.shape)), (g,)))
    for out in grads:
        if not scalar:
            np.multiply(out, grad, out=out)
        if weight is not None:
            np.multiply(out, weight, out=out)
    return grads[0], grads[1] if target_grad else None
