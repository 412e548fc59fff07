"""``F.rms_norm``: root-mean-square normalisation over the trailing dims, built from differentiable ops."""
import warnings

import numpy as np

from ..._ops._dtype_args import require_floating
from ..._ops._tensor_args import require_tensor

__all__ = ["rms_norm"]

# the C++ type names PyTorch's mismatch warning prints
_CPP_TYPE = {"float16": "c10::Half", "float32": "float", "float64": "double"}
# PyTorch gives the mismatch warning once per process (TORCH_WARN_ONCE)
_warned_mismatch = False


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dimensions.

    ``input / sqrt(mean(input**2 over normalized_shape) + eps) * weight``; ``eps`` defaults to the dtype's
    machine epsilon (float32's for float16 input, which is computed in float32)."""
    require_tensor("rms_norm", input)
    require_floating("rms_norm", input._data)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    normalized_shape = tuple(normalized_shape)
    n = len(normalized_shape)
    if n == 0 or tuple(input.shape[-n:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}")
    if weight is not None and weight._data.dtype != input._data.dtype:
        _warn_mismatch_once(input._data.dtype, weight._data.dtype)
    # half precision is normalised in float32 (PyTorch's opmath type, whose epsilon is the default eps), then
    # cast back
    x = input.float() if input._data.dtype == np.float16 else input
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(-n, 0))
    out = (x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()).to(input.dtype)
    # PyTorch keeps the input's dtype whatever the weight's
    return out if weight is None else (out * weight).to(input.dtype)


def _warn_mismatch_once(input_dtype, weight_dtype):
    """PyTorch's UserWarning (given once) that an input and weight of different dtypes miss the fused kernel."""
    global _warned_mismatch
    if _warned_mismatch:
        return
    _warned_mismatch = True
    names = [_CPP_TYPE.get(d.name, d.name) for d in (input_dtype, weight_dtype)]
    warnings.warn(f"Mismatch dtype between input and weight: input dtype = {names[0]}, weight dtype = {names[1]}, "
                  "Cannot dispatch to fused implementation.", stacklevel=3)
