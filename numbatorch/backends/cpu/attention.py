"""Scaled dot-product attention on raw numpy arrays (forward and backward).

query (B..., L, E), key (B..., S, E), value (B..., S, Ev); batch dims broadcast.
attn = softmax(q @ k^T * scale + mask), output = dropout(attn) @ v. The matrix
products go to BLAS (``blas.matmul``); mask, scale, causal mask, softmax and dropout are
two Numba passes around one numpy exp (``_attention_softmax``); the softmax
backward is one fused Numba pass.

Fully masked rows: PyTorch 2.13's F.scaled_dot_product_attention on CPU (math
and fused paths alike) returns 0 for them, with zero gradients; that is the
default here. torch.nn.MultiheadAttention with need_weights=True returns NaN for
them: pass ``nan_for_fully_masked=True`` to match it.

Dropout randomness stays with the caller: it passes ``dropout_mask`` (bool,
True = keep, broadcastable to (B..., L, S)) and ``dropout_p``; kept
probabilities are scaled by 1 / (1 - p).
"""
import math

import numpy as np

from . import _attention_softmax as _k
from . import blas
from ._parallel import choose


class AttentionWorkspace:
    """What the backward pass needs from the forward pass."""

    # keep: the dropout mask as (N, L, S) for the layer above; keep_flat: as the kernels take it
    __slots__ = ("query", "key", "value", "attn", "attn_drop", "keep", "keep_flat", "drop_scale",
                 "scale", "mask_shape")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))


def _float_dtype(*arrays):
    dtype = np.result_type(*arrays)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _sum_to_shape(grad, shape):
    """Undo broadcasting: sum ``grad`` down to ``shape``."""
    if grad.shape == tuple(shape):
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


def _writable_full(a, full_shape):
    """``a`` (a fresh matmul result) as a writable C-contiguous array of ``full_shape``."""
    if a.shape == full_shape and a.flags.c_contiguous:
        return a
    return np.broadcast_to(a, full_shape).copy()


def _flat_mask(a, full_shape, dtype):
    """``a`` broadcast to ``full_shape`` as (flat, n_step, l_step), flat read-only: entry (n, l, s) of its
    (N, L, S) view is flat[n * n_step + l * l_step + s]. A copy only of a mask broadcast over keys, or where
    the (N, L, S) view needs one."""
    S = full_shape[-1]
    a = np.asarray(a, dtype=dtype)
    if a.ndim == 0 or a.shape[-1] != S:
        a = np.broadcast_to(a, a.shape[:-1] + (S,))
    base = np.ascontiguousarray(a)
    view = np.broadcast_to(base, full_shape).reshape((-1,) + full_shape[-2:])
    flat = (base if np.may_share_memory(view, base) else view).reshape(-1)[:]
    flat.flags.writeable = False
    return flat, view.strides[0] // view.itemsize, view.strides[1] // view.itemsize


def _as_3d(a, full_shape, dtype):
    """Broadcast ``a`` to ``full_shape`` and view it as (N, L, S) (a copy only if numpy must)."""
    view = np.broadcast_to(np.asarray(a, dtype=dtype), full_shape)
    return view.reshape((-1,) + full_shape[-2:])


def scaled_dot_product_attention_forward(query, key, value, attn_mask=None, dropout_p=0.0,
                                         dropout_mask=None, is_causal=False, scale=None,
                                         nan_for_fully_masked=False):
    """Return (output (B..., L, Ev), attn weights (B..., L, S) before dropout, workspace).

    attn_mask: bool (True = take part) or float (added to the scores), broadcastable
    to (B..., L, S). is_causal masks key s > query l (top-left aligned, as torch).
    scale defaults to 1 / sqrt(E). Shapes, mask and dropout_p are checked by the caller.
    """
    query, key, value = np.asarray(query), np.asarray(key), np.asarray(value)
    dtype = _float_dtype(query, key, value)
    query, key, value = (a.astype(dtype, copy=False) for a in (query, key, value))
    batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    L, S = query.shape[-2], key.shape[-2]
    full_shape = batch + (L, S)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])

    scores = blas.matmul(query, np.swapaxes(key, -1, -2))  # BLAS per batch slice; broadcasts
    scores = _writable_full(scores, full_shape)
    attn = scores.reshape((-1, L, S))  # a view: filled in place with the probabilities
    mask_shape = None
    if attn_mask is not None:
        attn_mask = np.asarray(attn_mask)
        mask_shape = attn_mask.shape
        if attn_mask.dtype == np.bool_:
            mask_shape = None  # a bool mask has no gradient
            attn_mask = np.where(attn_mask, dtype.type(0), dtype.type(-np.inf))
    mask, mask_n, mask_l = _flat_mask(0 if attn_mask is None else attn_mask, full_shape, dtype)
    has_dropout = dropout_p > 0.0
    drop_scale = 0.0 if dropout_p >= 1.0 else 1.0 / (1.0 - dropout_p)
    if has_dropout:
        if dropout_mask is None:
            raise ValueError("dropout_p > 0 needs dropout_mask (True = keep)")
        keep = _as_3d(np.asarray(dropout_mask, dtype=np.bool_), full_shape, np.bool_)
        attn_drop = np.empty_like(attn)
    else:
        keep = np.broadcast_to(np.ones((1, 1, 1), dtype=np.bool_), attn.shape)
        attn_drop = np.empty((0, 0, 0), dtype=dtype)
    keep_flat = _flat_mask(dropout_mask if has_dropout else True, full_shape, np.bool_)
    choose(_k.shift_scores, attn.size)(attn, mask, mask_n, mask_l, attn_mask is not None, bool(is_causal),
                                       dtype.type(scale))
    np.exp(attn, out=attn)  # numpy's exp is SIMD-vectorised; Numba's is scalar here
    choose(_k.normalize_rows, attn.size)(attn, bool(nan_for_fully_masked), *keep_flat, has_dropout, drop_scale,
                                         attn_drop)

    weights = attn.reshape(full_shape)
    used = attn_drop.reshape(full_shape) if has_dropout else weights
    output = blas.matmul(used, value)
    ws = AttentionWorkspace(query=query, key=key, value=value, attn=attn,
                            attn_drop=attn_drop if has_dropout else None, keep=keep, keep_flat=keep_flat,
                            drop_scale=drop_scale, scale=scale, mask_shape=mask_shape)
    return output, weights, ws


def scaled_dot_product_attention_backward(ws, grad_output):
    """Return (grad_query, grad_key, grad_value, grad_attn_mask).

    Gradients have the shapes of the forward's inputs (broadcast dims summed);
    grad_attn_mask is None unless the mask was a float array.
    """
    query, key, value = ws.query, ws.key, ws.value
    attn = ws.attn
    N, L, S = attn.shape
    full_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2]) + (L, S)
    grad_output = np.asarray(grad_output, dtype=attn.dtype)
    has_dropout = ws.attn_drop is not None
    used = (ws.attn_drop if has_dropout else attn).reshape(full_shape)

    grad_value = _sum_to_shape(blas.matmul(np.swapaxes(used, -1, -2), grad_output), value.shape)
    grad_scores = _writable_full(blas.matmul(grad_output, np.swapaxes(value, -1, -2)), full_shape)
    kernel = choose(_k.masked_softmax_backward, attn.size)
    kernel(grad_scores.reshape((N, L, S)), attn, *ws.keep_flat, has_dropout, ws.drop_scale)

    grad_mask = None if ws.mask_shape is None else _sum_to_shape(grad_scores, ws.mask_shape)
    grad_query = blas.matmul(grad_scores, key)
    grad_query *= ws.scale
    grad_key = blas.matmul(np.swapaxes(grad_scores, -1, -2), query)
    grad_key *= ws.scale
    return (_sum_to_shape(grad_query, query.shape), _sum_to_shape(grad_key, key.shape),
            grad_value, grad_mask)
