"""Scaled dot-product attention on device arrays (forward and backward), with the names, arguments and results
of ``backends.cpu.attention``: the matrix products go to the array library's GEMM, scale, masks, softmax and
dropout are one fused kernel, the softmax backward another. Dropout randomness stays with the caller
(``dropout_mask``, True = keep).
"""
import math

import numpy as np

from ..cpu.attention import AttentionWorkspace, _sum_to_shape
from . import _attention_softmax as K
from ._array import THREADS, read_only, xp

__all__ = ["AttentionWorkspace", "scaled_dot_product_attention_forward", "scaled_dot_product_attention_backward"]

# Rows of scores handled by one launch's blocks (grid-stride beyond that).
_MAX_ROW_BLOCKS = 65535


def _rows(kernel, n_rows):
    return kernel[max(1, min(_MAX_ROW_BLOCKS, n_rows)), THREADS]


def _float_dtype(*arrays):
    dtype = np.result_type(*(a.dtype for a in arrays))
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _writable_full(a, full_shape):
    """``a`` (a fresh matmul result) as a writable C-contiguous array of ``full_shape``."""
    if a.shape == full_shape and a.flags.c_contiguous:
        return a
    return xp.ascontiguousarray(xp.broadcast_to(a, full_shape))


def _as_3d(a, full_shape, dtype):
    """Broadcast ``a`` to ``full_shape`` and view it as (N, L, S) (a copy only if the library must)."""
    return xp.broadcast_to(xp.asarray(a, dtype=dtype), full_shape).reshape((-1,) + full_shape[-2:])


def scaled_dot_product_attention_forward(query, key, value, attn_mask=None, dropout_p=0.0,
                                         dropout_mask=None, is_causal=False, scale=None,
                                         nan_for_fully_masked=False, average_heads=0, contiguous_weights=False):
    """Return (output (B..., L, Ev), attn weights (B..., L, S) before dropout, workspace); as the CPU twin."""
    dtype = _float_dtype(query, key, value)
    query, key, value = (xp.asarray(a, dtype=dtype) for a in (query, key, value))
    batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    L, S = query.shape[-2], key.shape[-2]
    full_shape = batch + (L, S)
    if scale is None:  # with no features every score is 0 whatever the scale
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0

    attn = _writable_full(xp.matmul(query, xp.swapaxes(key, -1, -2)), full_shape).reshape((-1, L, S))
    mask_shape = None
    if attn_mask is not None:
        mask_shape = attn_mask.shape
        if attn_mask.dtype == np.bool_:
            mask_shape = None  # a bool mask has no gradient
            attn_mask = xp.where(attn_mask, dtype.type(0), dtype.type(-np.inf))
        mask = _as_3d(attn_mask, full_shape, dtype)
    else:
        mask = xp.zeros((1, 1, 1), dtype=dtype)
    has_dropout = dropout_p > 0.0
    drop_scale = 0.0 if dropout_p >= 1.0 else 1.0 / (1.0 - dropout_p)
    if has_dropout:
        if dropout_mask is None:
            raise ValueError("dropout_p > 0 needs dropout_mask (True = keep)")
        keep = _as_3d(dropout_mask, full_shape, np.bool_)
        attn_drop = xp.empty_like(attn)
    else:
        keep = xp.ones((1, 1, 1), dtype=np.bool_)
        attn_drop = xp.empty((1, 1, 1), dtype=dtype)
    _rows(K.masked_softmax, attn.shape[0] * L)(
        attn, read_only(mask), attn_mask is not None, bool(is_causal), dtype.type(scale),
        bool(nan_for_fully_masked), read_only(keep), has_dropout, drop_scale, attn_drop)

    weights = attn.reshape(full_shape)
    used = attn_drop.reshape(full_shape) if has_dropout else weights
    output = xp.matmul(used, value)
    ws = AttentionWorkspace(query=query, key=key, value=value, attn=attn,
                            attn_drop=attn_drop if has_dropout else None, keep=keep,
                            drop_scale=drop_scale, scale=scale, mask_shape=mask_shape,
                            head_mean=used.mean(axis=-3) if average_heads else None)
    return output, (used if contiguous_weights and not average_heads else weights), ws


def scaled_dot_product_attention_backward(ws, grad_output):
    """Return (grad_query, grad_key, grad_value, grad_attn_mask); as the CPU twin."""
    query, key, value = ws.query, ws.key, ws.value
    attn = ws.attn
    N, L, S = attn.shape
    full_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2]) + (L, S)
    grad_output = xp.asarray(grad_output, dtype=attn.dtype)
    has_dropout = ws.attn_drop is not None
    used = (ws.attn_drop if has_dropout else attn).reshape(full_shape)

    grad_value = _sum_to_shape(xp.matmul(xp.swapaxes(used, -1, -2), grad_output), value.shape)
    grad_scores = _writable_full(xp.matmul(grad_output, xp.swapaxes(value, -1, -2)), full_shape)
    _rows(K.masked_softmax_backward, N * L)(grad_scores.reshape((N, L, S)), read_only(attn), read_only(ws.keep),
                                            has_dropout, ws.drop_scale)

    grad_mask = None if ws.mask_shape is None else _sum_to_shape(grad_scores, ws.mask_shape)
    grad_query = xp.matmul(grad_scores, key) * ws.scale
    grad_key = xp.matmul(xp.swapaxes(grad_scores, -1, -2), query) * ws.scale
    return (_sum_to_shape(grad_query, query.shape), _sum_to_shape(grad_key, key.shape),
            grad_value, grad_mask)
