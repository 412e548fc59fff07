"""Gradient clipping: ``clip_grad_norm_`` (by total norm) and ``clip_grad_value_`` (elementwise)."""
import math

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(arr, norm_type):
    """``torch.linalg.vector_norm`` of a flat array, computed in the array's dtype."""
    a = np.abs(arr.reshape(-1))
    if a.size == 0:
        return arr.dtype.type(0)
    if norm_type == math.inf:
        return a.max()
    if norm_type == -math.inf:
        return a.min()
    if norm_type == 0:
        return arr.dtype.type(np.count_nonzero(a))
    if norm_type == 1:
        return a.sum()
    if norm_type == 2:
        return np.sqrt(np.dot(a, a)) if a.dtype != np.float16 else np.sqrt((a * a).sum())
    return (a ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors`` (as if all were concatenated into one vector)."""
    arrays = [t._data for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    norms = [_vector_norm(a, norm_type) for a in arrays]
    dtype = np.result_type(*arrays)
    total = _vector_norm(np.array(norms, dtype=dtype, like=arrays[0]), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(np.asarray(total, dtype=dtype, like=arrays[0]))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    # Computed in the norm's dtype, as PyTorch does; a NaN norm gives a NaN coefficient (clamp keeps NaN).
    coef = total.dtype.type(max_norm) / (total + total.dtype.type(1e-6))
    coef = coef if np.isnan(coef) else np.minimum(coef, total.dtype.type(1.0))
    for g in grads:
        # PyTorch multiplies even when the coefficient is 1 (so NaN norms propagate).
        g._data *= g._data.dtype.type(coef)
        g._version_counter[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale gradients in place so that their total ``norm_type`` norm is at most ``max_norm``; returns it."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient elementwise to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
            p.grad._version_counter[0] += 1
