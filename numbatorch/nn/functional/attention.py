"""Scaled dot-product attention (one graph node over a fused kernel) and multi-head attention."""
import numpy as np

from ... import _dtype as dt
from ..._ops.joining import cat, repeat_interleave
from ..._ops.products import _C_NAME, _SCALAR_NAME, _check_batched, _check_mm
from ..._ops._half_precision import computes_in_float32
from ..._ops._util import SavedOutput, broadcast_error, broadcastable, record
from ..._ops.reduction import MeanBackward1
from ..._tensor import Tensor
from ...autograd.graph import Node, backward_by_recompute
from ...backends import kernel_family
from ._keep_mask import keep_mask
from .linear import linear

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
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")


def _c_name(t):
    return _C_NAME.get(t._data.dtype.name, t._data.dtype.name)


def _check_product(a, b, a_requires_grad):
    """``a @ b``'s shape checks, with PyTorch's messages, on float stand-ins of arrays ``a`` and ``b`` (the
    dtype is checked after the products)."""
    a, b = (np.broadcast_to(np.empty((), np.float32), x.shape) for x in (a, b))
    if a.ndim == 2 and b.ndim == 2:
        _check_mm(a, b)
    else:
        _check_batched(a, b, a_requires_grad)


def _check_attention(query, key, value, mask, dropout_p, requires_grad):
    """The checks of PyTorch's math path, in its order: q @ k^T, adding the mask, dropout, weights @ v, the
    dtype; returns the (batch..., L, S) shape of the scores. ``requires_grad``: the query's and the key's."""
    _check_product(query, np.swapaxes(key, -1, -2), requires_grad[0])
    full_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (query.shape[-2], key.shape[-2])
    if mask is not None:
        if not broadcastable(full_shape, np.shape(mask)):
            raise broadcast_error(full_shape, np.shape(mask))
        if np.broadcast_shapes(full_shape, np.shape(mask)) != full_shape:  # the scores take the mask in place
            raise RuntimeError(f"output with shape {list(full_shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(full_shape, np.shape(mask)))}")
    if dropout_p > 1.0:  # a negative probability drops nothing, as PyTorch's math path
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    _check_product(np.broadcast_to(np.empty((), query.dtype), full_shape), value, any(requires_grad))
    if query.dtype.kind == "c":
        raise NotImplementedError(f"\"softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_SCALAR_NAME[query.dtype.name]}'")
    if query.dtype.kind not in "f" and query.dtype.name != "bfloat16":
        raise RuntimeError(f"expected scalar type Float but found {_SCALAR_NAME[query.dtype.name]}")
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
        if query.dim() < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-query.dim()}, "
                             f"{query.dim() - 1}], but got -3)")
        heads = query.shape[-3]
        if heads % key.shape[-3] or heads % value.shape[-3]:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")  # sic
        key = repeat_interleave(key, heads // key.shape[-3], dim=-3) if key.shape[-3] != heads else key
        value = repeat_interleave(value, heads // value.shape[-3], dim=-3) if value.shape[-3] != heads else value
    return _attention(query, key, value, attn_mask, dropout_p, is_causal, scale, False)[0]


# ---- multi-head attention -----------------------------------------------------------------------
def _float_mask(mask, name, dtype):
    """A bool (True = masked out) or float mask as a float array to add to the scores."""
    if mask is None:
        return None
    arr = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if arr.dtype == np.bool_:
        return np.where(arr, dtype.type(-np.inf), dtype.type(0))
    if not dt.is_floating(arr.dtype):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return arr.astype(dtype, copy=False)


def _check_mask_types(key_padding_mask, attn_mask):
    if key_padding_mask is not None and attn_mask is not None and key_padding_mask.dtype != attn_mask.dtype:
        import warnings
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for "
                      "both instead.", stacklevel=3)


def _mha_is_batched(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w, separate):
    if separate:
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)
    if query is key and key is value:
        # self-attention: one GEMM for q, k and v
        return linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _pad_last(mask):
    """Append one zero (unmasked) column to a float mask."""
    return None if mask is None else np.concatenate([mask, np.zeros_like(mask, shape=mask.shape[:-1] + (1,))], -1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention on (L, N, E) inputs (or unbatched (L, E)); returns (output, weights or None).

    Masks are constants here (no gradient flows into a float mask).
    """
    is_batched = _mha_is_batched(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    dtype = query._data.dtype
    _check_mask_types(key_padding_mask, attn_mask)
    kpm = _float_mask(key_padding_mask, "key_padding_mask", dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and kpm is None and not need_weights:
        mask = None  # the hint alone drives the kernel's causal masking
    else:
        mask = _float_mask(attn_mask, "attn_mask", dtype)
        if kpm is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight,
                             v_proj_weight, use_separate_proj_weight)

    if mask is not None:
        if mask.ndim == 2:
            if mask.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            mask = mask[None]
        elif mask.ndim == 3:
            if mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None else
                             "bias_v is set but bias_k is None")

    # heads as (N, H, L, head_dim) views: split and permuted, never copied before the kernels take them
    q = q.reshape(tgt_len, bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        zeros = Tensor._make(np.zeros_like(k._data, shape=(bsz, num_heads, 1, head_dim), dtype=dtype))
        k, v = cat([k, zeros], 2), cat([v, zeros], 2)
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    src_len = k.shape[2]
    if mask is not None and mask.shape[0] == bsz * num_heads:
        mask = mask.reshape(bsz, num_heads, tgt_len, src_len)

    if kpm is not None:
        for dim, size in enumerate((bsz, src_len)):
            if kpm.shape[dim] != size:
                raise AssertionError(f"Expected key_padded_mask.shape[{dim}] to be {size}, but got "
                                     f"{kpm.shape[dim]}")  # PyTorch's wording
        kpm = kpm[:, None, None, :]
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0

    # Scores with a mask broadcast over (N, H, L, S); the need_weights path returns NaN rows where
    # everything is masked (as PyTorch's softmax does), the SDPA path returns zeros there.
    out, weights, head_mean = _attention(q, k, v, mask, dropout_p, bool(is_causal and mask is None), None,
                                         need_weights, need_weights and average_attn_weights,
                                         need_weights and not average_attn_weights)
    out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, embed_dim)
    if not need_weights:
        return (out if is_batched else out.squeeze(1)), None
    weights = head_mean if average_attn_weights else weights.view(bsz, num_heads, tgt_len, src_len)
    if not is_batched:
        return out.squeeze(1), weights.squeeze(0)
    return out, weights


def _heads(x, static, bsz, num_heads, head_dim, name):
    """(S, N, E) -> (N, H, S, head_dim), or the caller's precomputed (N*H, S, head_dim) ``static`` keys/values."""
    if static is None:
        return x.reshape(x.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static.reshape(bsz, num_heads, static.size(1), head_dim)


__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]
