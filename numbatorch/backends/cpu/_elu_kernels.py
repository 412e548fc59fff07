"""The ELU family (ELU, SELU, CELU) as Numba kernels, forward and backward.

All three are PyTorch's ``elu(x, alpha, scale, input_scale)``: ``scale * x`` for x > 0, else
``alpha * scale * expm1(input_scale * x)`` (SELU fixes alpha and scale, CELU has input_scale = 1 / alpha); the
gradient below 0 is ``alpha * scale * input_scale * exp(input_scale * x)``. Their numpy forms (``np.expm1``, a
select and the scalings, each a pass; the gradient through ``np.exp``) on one thread took 3.6-3.9x PyTorch's time
forward and backward on 8 MiB of float32. Here each direction is one loop in the array's own float type on
``_float_math``'s vectorisable ``vector_expm1`` and ``vector_exp``, split over Numba's threads: 0.7-0.8x. NaN
gives NaN in both directions (as PyTorch's vectorised loops), -0.0 stays -0.0.

The size rule and dtypes are ``_softplus_kernels``': below ``MIN_BACKWARD_BYTES`` of output the functions return
None and the ops keep their numpy forms, bit for bit; float32/float64 only.
"""
from ._float_math import vector_exp, vector_expm1
from ._parallel import CONTRACT, twin_kernels
from .pointwise import MIN_BACKWARD_BYTES, map_arrays


def _make_elu(loop):
    def elu(x, scale, neg_scale, input_scale, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = v * scale if v > 0 else vector_expm1(v * input_scale) * neg_scale
    return elu


def _make_elu_backward(loop):
    def elu_backward(grad, x, scale, neg_slope, input_scale, out):
        for i in loop(x.size):
            v = x[i]
            out[i] = grad[i] * scale if v > 0 else grad[i] * neg_slope * vector_exp(v * input_scale)
    return elu_backward


_ELU = twin_kernels(_make_elu, fastmath=CONTRACT)
_ELU_BACKWARD = twin_kernels(_make_elu_backward, fastmath=CONTRACT)


def elu(x, alpha, scale, input_scale):
    """``F.elu``'s general form of a float32/float64 array; None below ``MIN_BACKWARD_BYTES`` or for other
    dtypes."""
    if x.nbytes < MIN_BACKWARD_BYTES:
        return None
    return map_arrays(_ELU, (x,), (scale, alpha * scale, input_scale))


def elu_backward(grad, x, alpha, scale, input_scale):
    """The input's gradient of ``elu(x, alpha, scale, input_scale)`` for ``grad``; or None, as ``elu``."""
    if x.nbytes < MIN_BACKWARD_BYTES:
        return None
    return map_arrays(_ELU_BACKWARD, (grad, x), (scale, alpha * scale * input_scale, input_scale))
