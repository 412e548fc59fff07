"""Dropout family: a random keep-mask drawn from numbatorch's generator, scaled so the mean is unchanged."""
import math
import warnings

import numpy as np

from ... import _dtype as dt
from ..._ops._util import Tensor, apply_inplace, record
from ...autograd.graph import Node
from ..._ops._dtype_args import scalar_name
from ..._ops._tensor_args import require_tensor
from ._keep_mask import keep_mask


class MulMaskBackward0(Node):
    """The input times a fixed mask; PyTorch records dropout's product as a MulBackward0."""

    __slots__ = ("mask",)

    def name(self):
        return "MulBackward0"

    def backward(self, grad):
        return grad * self.mask

    def backward_graph(self, grad):
        return grad * Tensor._make(self.mask)


class AlphaDropoutBackward(MulMaskBackward0):
    """Alpha dropout's masked product plus a fixed shift; PyTorch records the sum last (AddBackward0)."""

    __slots__ = ()

    def name(self):
        return "AddBackward0"


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _check_floating(dtype):
    """PyTorch's error for dropout of a non-floating array: the float mask cannot be cast back to its dtype."""
    if not dt.is_floating(dtype):
        raise RuntimeError(f"result type Float can't be cast to the desired output type {scalar_name(dtype)}")


def _apply_mask(input, mask, inplace):
    mask = np.asarray(mask, like=input._data)  # drawn on the host: to the input's device
    result = record(input._data * mask, MulMaskBackward0, (input,), mask=mask)
    return apply_inplace(input, result) if inplace else result


def _scale(p, dtype):
    """``1 / (1 - p)`` in PyTorch's bits: computed in float32 for the narrower floats (its opmath type), in float64
    for float64, then rounded to ``dtype``."""
    opmath = np.float64 if dtype == np.float64 else np.float32
    return np.asarray(opmath(1.0) / opmath(1.0 - p)).astype(dtype)


def _scaled_keep_mask(shape, p, dtype):
    if p == 1.0:    # PyTorch multiplies by zero: any dtype
        return np.zeros(shape, dtype)
    _check_floating(dtype)
    mask = keep_mask(shape, p).astype(dtype)
    mask *= _scale(p, dtype)
    return mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes elements with probability ``p`` when ``training`` and scales the rest by ``1 / (1 - p)``.

    See ``nn.Dropout`` for the arguments and shapes.
    """
    require_tensor("dropout", input)
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _apply_mask(input, _scaled_keep_mask(input.shape, p, input._data.dtype), inplace)


def _channel_dropout(input, p, training, inplace, batched):
    """PyTorch's feature dropout: one draw per ``input[n, c]`` (per ``input[c]`` when not ``batched``), broadcast
    over the other dims, so whole channels are zeroed; its checks in its order (``p`` = 1 zeroes any input)."""
    if not training or p == 0.0 or input.numel() == 0:
        return input
    shape = tuple(input.shape)
    lead = 2 if batched else 1
    if p < 1.0 and len(shape) < lead:  # an unbatched input counts with the batch dim PyTorch adds to it
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    mask = _scaled_keep_mask(shape[:lead] + (1,) * (len(shape) - lead), p, input._data.dtype)
    return _apply_mask(input, mask, inplace)


def _warn_deprecated_rank(name, ndim, spatial):
    """PyTorch's warning for a channel dropout of ``spatial`` dims given an input of another rank."""
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error "
                  "in a future release. To retain the behavior and silence this warning, please use dropout "
                  f"instead. Note that {name} exists to provide channel-wise dropout on inputs with {spatial} "
                  "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of 1-D feature maps with probability ``p`` when ``training``.

    See ``nn.Dropout1d`` for the arguments and shapes.
    """
    require_tensor("dropout1d", input)
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, batched=ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: one draw per ``input[n, c]``.

    As in PyTorch, inputs other than 3-D and 4-D are deprecated but still dropped per ``(n, c)`` (a 2-D input
    (N, C) element by element), with a warning, and a 3-D input is taken as (N, C, L), not unbatched (C, H, W).
    """
    require_tensor("dropout2d", input)
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        _warn_deprecated_rank("dropout2d", ndim, spatial=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _channel_dropout(input, p, training, inplace, batched=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of 3-D feature maps with probability ``p`` when ``training``.

    As in PyTorch, inputs other than 4-D and 5-D are deprecated (a warning) and taken as unbatched: one draw per
    ``input[c]``. See ``nn.Dropout3d`` for the arguments and shapes.
    """
    require_tensor("dropout3d", input)
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        _warn_deprecated_rank("dropout3d", ndim, spatial=3)
    return _channel_dropout(input, p, training, inplace, batched=ndim == 5)


_SELU_ALPHA = 1.7580993408473766  # -alpha * scale of SELU: the value a dropped unit takes before the fix-up


def _alpha_factors(noise, p):
    """``(noise * a, (noise - 1) * alpha * a + alpha * a * p)`` from the 0/1 keep-``noise``, step by step as PyTorch
    computes them: each step in its opmath type (float32 for the narrower floats) and rounded to the dtype; the
    scalar of a product in opmath, the scalar of a sum rounded to the dtype first (its CPU kernels do so)."""
    dtype = noise.dtype
    opmath = np.float64 if dtype == np.float64 else np.float32
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    addend = np.asarray(_SELU_ALPHA * a * p, dtype=dtype).astype(opmath)[()]  # a scalar: device arrays take it
    shift = (noise.astype(opmath, copy=False) - opmath(1)).astype(dtype, copy=False)
    shift = (shift.astype(opmath, copy=False) * opmath(_SELU_ALPHA * a)).astype(dtype, copy=False)
    shift = (shift.astype(opmath, copy=False) + addend).astype(dtype, copy=False)
    return (noise.astype(opmath, copy=False) * opmath(a)).astype(dtype, copy=False), shift


def _alpha_dropout(input, p, training, inplace, per_channel):
    """Alpha dropout with one draw per element, or per ``input[n, c]``, in PyTorch's order of checks."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:    # PyTorch multiplies by zero: any dtype
        return input.mul_(0) if inplace else input * 0
    noise_shape = tuple(input.shape)
    if per_channel:
        if len(noise_shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise_shape = noise_shape[:2] + (1,) * (len(noise_shape) - 2)
    x = input._data
    _check_floating(x.dtype)
    noise = np.asarray(keep_mask(noise_shape, p), like=x).astype(x.dtype)
    scale, shift = _alpha_factors(noise, p)
    result = record(x * scale + shift, AlphaDropoutBackward, (input,), mask=np.broadcast_to(scale, x.shape))
    return apply_inplace(input, result) if inplace else result


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units take the SELU saturation value, then an affine fix-up."""
    return _alpha_dropout(input, p, training, inplace, per_channel=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels when ``training``.

    See ``nn.FeatureAlphaDropout`` for the arguments and shapes.
    """
    return _alpha_dropout(input, p, training, inplace, per_channel=True)


__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]
