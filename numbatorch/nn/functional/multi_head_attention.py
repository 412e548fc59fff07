"""Multi-head attention (``F.multi_head_attention_forward``): projections, masks and heads around one
scaled dot-product attention node."""
import numpy as np

from ... import _dtype as dt
from ..._ops.joining import cat
from ..._ops.products import _C_NAME
from ..._tensor import Tensor
from .attention import _attention
from .linear import linear


def _float_mask(mask, name, dtype):
    """A bool (True = masked out) or float mask as a float array to add to the scores."""
    if mask is None:
        return None
    arr = _mask_array(mask, name)
    if arr.dtype == np.bool_:
        return np.where(arr, dtype.type(-np.inf), dtype.type(0))
    return arr.astype(dtype, copy=False)


def _mask_array(mask, name):
    """``mask``'s array, after PyTorch's check that it is bool or floating."""
    arr = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if arr.dtype != np.bool_ and not dt.is_floating(arr.dtype):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return arr


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
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w, separate):
    if separate:
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        _check_separate_projections(query, key, value, (q_w, k_w, v_w), (b_q, b_k, b_v))
        return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)
    if query is key and key is value:
        # self-attention: one GEMM for q, k and v
        return linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _check_separate_projections(query, key, value, weights, biases):
    """PyTorch's shape checks of separate q, k, v projections: (E, E), (E, kdim), (E, vdim) weights, (E,) biases."""
    embed_dim = query.shape[-1]
    names = ("query", "key", "value")
    for name, x, w in zip(names, (query, key, value), weights):
        if tuple(w.shape) != (embed_dim, x.shape[-1]):
            raise AssertionError(f"expecting {name} weights shape of {(embed_dim, x.shape[-1])}, but got {w.shape}")
    for name, b in zip(names, biases):
        if b is not None and tuple(b.shape) != (embed_dim,):
            raise AssertionError(f"expecting {name} bias shape of {(embed_dim,)}, but got {b.shape}")


def _check_mask_dtype(key_padding_mask, attn_mask, query, need_weights):
    """PyTorch's error for float masks that reach its attention in another dtype than the query's (bool masks
    become the query's dtype; the merged mask has the promoted dtype): baddbmm's with ``need_weights``, else
    scaled_dot_product_attention's, which also takes float32."""
    dtypes = [query.dtype if m.dtype is dt.bool_ else m.dtype for m in (key_padding_mask, attn_mask)
              if isinstance(m, Tensor)]
    if not dtypes:
        return
    merged = dt.promote_types(*dtypes) if len(dtypes) == 2 else dtypes[0]
    mask_name, query_name = _C_NAME.get(merged.name, merged.name), _C_NAME.get(query.dtype.name, query.dtype.name)
    if need_weights and merged is not query.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {mask_name}, batch1: {query_name}, batch2: "
                           f"{query_name}")
    if not need_weights and merged not in (query.dtype, dt.float32):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {mask_name} and  query.dtype: {query_name} instead.")


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
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
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
    _check_mask_dtype(key_padding_mask, None if is_causal and mask is None else attn_mask, q, need_weights)
    if need_weights and dropout_p > 1.0:  # PyTorch's F.dropout on the weights (the SDPA path raises its own)
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")

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
        if x.numel() != x.shape[0] * bsz * num_heads * head_dim:  # PyTorch's view to (S, N * H, head_dim)
            raise RuntimeError(f"shape '[{x.shape[0]}, {bsz * num_heads}, {head_dim}]' is invalid for input of "
                               f"size {x.numel()}")
        return x.reshape(x.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static.reshape(bsz, num_heads, static.size(1), head_dim)


__all__ = ["multi_head_attention_forward"]
