"""Scaled dot-product attention: one graph node over the backend's fused kernels."""
import math

import numpy as np

from ... import _dtype as dt
from ..._ops.joining import repeat_interleave
from ..._ops.products import _C_NAME, _SCALAR_NAME, _check_batched, _check_mm
from ..._ops._dtype_args import integer_scalar
from ..._ops._half_precision import computes_in_float32
from ..._ops._util import SavedOutput, broadcast_error, broadcastable, record
from ..._ops.reduction import MeanBackward1
from ..._tensor import Tensor
from ...autograd.graph import Node, backward_by_recompute
from ...backends import kernel_family
from ._keep_mask import keep_mask

_attn = kernel_family("attention")
blas = kernel_family("blas")


class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """Backward of attention; outputs (output, attention weights). Named like PyTorch's CPU SDPA node."""

    __slots__ = ("ws", "out_shape", "weights_dropped")
    num_outputs = 2

    def backward(self, grads):
        g_out, g_w = grads
        gq = gk = gv = gmask = None
        if g_out is not None:  # without it nothing reaches the value (PyTorch's zeros, not NaN * 0 of dead rows)
            gq, gk, gv, gmask = _attn.scaled_dot_product_attention_backward(self.ws, g_out)
        if g_w is not None:
            gq, gk, gmask = self._add_weights_grad(g_w, gq, gk, gmask)
        return gq, gk, gv, gmask

    def backward_graph(self, grads):
        ws = self.ws
        full_shape = tuple(self.out_shape[:-1]) + (ws.key.shape[-2],)
        attn = ws.attn.reshape(full_shape)
        # Masked entries (bool mask, causal) are exactly zero weights: -inf there reproduces them, and entries that
        # underflowed to zero have zero derivatives either way. Fully masked rows (zeros, or NaN on request) stay
        # zero rows here.
        dead = np.isnan(attn).all(axis=-1, keepdims=True) | (attn == 0).all(axis=-1, keepdims=True)
        masked = Tensor._make(np.where((attn == 0) & ~dead, -np.inf, 0.0).astype(attn.dtype))
        live = Tensor._make((~dead).astype(attn.dtype))
        drop = None if not self.weights_dropped else Tensor._make(
            ws.keep.reshape(full_shape) * attn.dtype.type(ws.drop_scale))

        def forward(q, k, v, m):
            from ..._ops.softmax import softmax
            scores = q @ k.transpose(-2, -1) * ws.scale + masked
            if m is not None:
                scores = scores + m
            weights = softmax(scores, -1) * live
            if drop is not None:
                weights = weights * drop
            return weights @ v, weights
        return backward_by_recompute(self, forward, (ws.query, ws.key, ws.value, None), grads)

    def _add_weights_grad(self, g_w, gq, gk, gmask):
        """Gradient reaching the returned weights: softmax backward, then through q @ k^T * scale."""
        ws = self.ws
        attn = ws.attn.reshape(g_w.shape)  # g_w has the full (B..., L, S) shape of the weights
        g_attn = g_w.astype(attn.dtype, copy=False)
        if self.weights_dropped:
            g_attn = g_attn * ws.keep.reshape(attn.shape) * ws.drop_scale
        g_scores = attn * (g_attn - (g_attn * attn).sum(axis=-1, keepdims=True))
        gq = _plus(gq, _attn._sum_to_shape(blas.matmul(g_scores, ws.key) * ws.scale, ws.query.shape))
        gk = _plus(gk, _attn._sum_to_shape(blas.matmul(np.swapaxes(g_scores, -1, -2), ws.query) * ws.scale,
                                           ws.key.shape))
        if ws.mask_shape is not None:
            gmask = _plus(gmask, _attn._sum_to_shape(g_scores, ws.mask_shape))
        return gq, gk, gmask


def _plus(grad, more):
    """``grad + more``, or ``more`` where there is no gradient yet."""
    return more if grad is None else grad + more


def _check_arguments(query, key, value, attn_mask, is_causal):
    """PyTorch's argument checks of scaled dot-product attention, in its order, before any work (and before
    half-precision inputs are widened)."""
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_c_name(query)} key.dtype: {_c_name(key)} and value.dtype: {_c_name(value)} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if attn_mask is not None and attn_mask.dtype not in (query.dtype, dt.bool_, dt.float32):  # "float": float32
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_c_name(attn_mask)} and  query.dtype: {_c_name(query)} instead.")
    if attn_mask is not None and attn_mask.dtype is dt.bool_ and query._data.dtype.kind in "iu":
        integer_scalar(-math.inf, query._data.dtype)  # the bool mask's -inf in the query's dtype: PyTorch's error
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")


def _c_name(t):
    return _C_NAME.get(t._data.dtype.name, t._data.dtype.name)


def _check_product(a, b, a_requires_grad, dtypes=(np.float32, np.float32)):
    """``a @ b``'s checks, with PyTorch's messages, on stand-ins of arrays ``a`` and ``b`` in ``dtypes``."""
    a, b = (np.broadcast_to(np.empty((), dtype), x.shape) for x, dtype in zip((a, b), dtypes))
    if a.ndim == 2 and b.ndim == 2:
        _check_mm(a, b)
    else:
        _check_batched(a, b, a_requires_grad)


def _check_attention(query, key, value, mask, dropout_p, requires_grad):
    """The checks of PyTorch's math path, in its order: q @ k^T, adding the mask, softmax, dropout, weights @ v;
    returns the (batch..., L, S) shape of the scores. ``requires_grad``: the query's and the key's."""
    _check_product(query, np.swapaxes(key, -1, -2), requires_grad[0])
    full_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (query.shape[-2], key.shape[-2])
    if mask is not None:
        if not broadcastable(full_shape, np.shape(mask)):
            raise broadcast_error(full_shape, np.shape(mask))
        if np.broadcast_shapes(full_shape, np.shape(mask)) != full_shape:  # the scores take the mask in place
            raise RuntimeError(f"output with shape {list(full_shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(full_shape, np.shape(mask)))}")
    if query.dtype.kind == "c":
        raise NotImplementedError(f"\"softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_SCALAR_NAME[query.dtype.name]}'")
    if dropout_p > 1.0:  # a negative probability drops nothing, as PyTorch's math path
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    # PyTorch scales integer (and bool) q and k by a Python float: their weights are float32
    weights_dtype = query.dtype if dt.is_floating(query.dtype) else np.float32
    _check_product(np.broadcast_to(0, full_shape), value, any(requires_grad), (weights_dtype, value.dtype))
    return np.broadcast_shapes(full_shape[:-2], value.shape[:-2]) + full_shape[-2:]


@computes_in_float32
def _attention(query, key, value, attn_mask, dropout_p, is_causal, scale, nan_for_fully_masked, average_heads=False,
               per_head_weights=False):
    """Both outputs of one attention node, (output, weights), and with ``average_heads`` the weights' mean over the
    heads (dim -3; else None). Weights are after dropout when it applies, C-contiguous with ``per_head_weights``
    (else, on the CPU, a transposed view)."""
    mask = attn_mask._data if isinstance(attn_mask, Tensor) else attn_mask
    full_shape = _check_attention(query._data, key._data, value._data, mask, dropout_p,
                                  (query.requires_grad, key.requires_grad))
    keep = None
    if dropout_p > 0.0:
        # drawn with keys before queries: the CPU kernels read it in that order, as the transposed scores
        keep = np.swapaxes(keep_mask(full_shape[:-2] + full_shape[:-3:-1], dropout_p), -1, -2)
        if type(query._data) is not np.ndarray:  # a transfer to the device takes one contiguous buffer
            keep = np.asarray(np.ascontiguousarray(keep), like=query._data)
    heads = full_shape[-3] if average_heads else 0
    contiguous = bool(per_head_weights and not heads)
    out, weights, ws = _attn.scaled_dot_product_attention_forward(
        query._data, key._data, value._data, mask, dropout_p, keep, is_causal, scale, nan_for_fully_masked, heads,
        contiguous)
    if ws.attn_drop is not None and not contiguous:
        weights = ws.attn_drop.reshape(weights.shape)
    mask_t = attn_mask if isinstance(attn_mask, Tensor) and attn_mask.is_floating_point() else None
    inputs = (query, key, value, mask_t)
    out, weights = record((out, weights), ScaledDotProductFlashAttentionForCpuBackward0, inputs, reads=inputs, ws=ws,
                          out_shape=out.shape, weights_dropped=ws.attn_drop is not None)
    if out.grad_fn is not None:  # backward reads the weights (record's OUTPUT names the first result only)
        out.grad_fn._saved_versions.append((SavedOutput(weights), weights._version_counter[0]))
    if not heads:
        return out, weights, None
    # the kernels averaged beside the softmax; the node is weights.mean(dim=-3)'s
    head_mean, ws.head_mean = ws.head_mean, None
    return out, weights, record(head_mean, MeanBackward1, (weights,), shape=weights.shape,
                                axes=(weights.dim() - 3,), keepdim=False)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q @ k^T * scale + mask) @ v over the last two dims; batch dims broadcast.

    attn_mask: bool (True = may attend) or float (added to the scores). Fully masked rows give 0.
    """
    _check_arguments(query, key, value, attn_mask, is_causal)
    if enable_gqa:
        if min(query.dim(), key.dim(), value.dim()) < 3:  # PyTorch reads dim -3 of all three (each 2-D here)
            raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got -3)")
        heads = query.shape[-3]
        if heads % key.shape[-3] or heads % value.shape[-3]:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")  # sic
        key = repeat_interleave(key, heads // key.shape[-3], dim=-3) if key.shape[-3] != heads else key
        value = repeat_interleave(value, heads // value.shape[-3], dim=-3) if value.shape[-3] != heads else value
    return _attention(query, key, value, attn_mask, dropout_p, is_causal, scale, False)[0]


__all__ = ["scaled_dot_product_attention"]
