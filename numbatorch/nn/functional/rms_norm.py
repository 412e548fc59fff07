"""``F.rms_norm``: root-mean-square normalisation over the trailing dims, built from differentiable ops."""
import numpy as np

from ._dtype_args import require_floating
from ._tensor_args import require_tensor

__all__ = ["rms_norm"]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dimensions.

    ``input / sqrt(mean(input**2 over normalized_shape) + eps) * weight``; ``eps`` defaults to the dtype's
    machine epsilon."""
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
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-n, 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    # PyTorch keeps the input's dtype whatever the weight's
    return out if weight is None else (out * weight).to(input.dtype)
