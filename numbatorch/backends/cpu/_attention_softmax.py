"""Numba kernels for the masked softmax of scaled dot-product attention and its backward, on transposed scores.

Scores come in transposed, (N, S, L) raw k @ q^T products: one head's softmax runs over its S rows, and every inner
loop runs over L contiguous queries, so the softmax's max, sums and dot products are elementwise updates of
L running values that LLVM vectorises (a reduction along a contiguous row stays scalar without fast-math).
``exp_scores`` applies the scale, the additive mask and the causal mask, subtracts each query's max and takes the
exp on the vectorisable ``_float_math.vector_exp`` (numpy's exp, a pass of its own on one thread, had taken ~15% of
MultiheadAttention's forward and backward); and ``normalize_rows`` divides by the sums and applies dropout. A query
whose every score is -inf gives zeros (PyTorch 2.x's scaled_dot_product_attention on CPU) or NaN (``nan_rows``, what
torch's MultiheadAttention returns with need_weights=True). Masked entries get probability exactly 0, so their
gradients are 0, never NaN.

The additive mask and the dropout keep-mask come flat: entry (n, s, l) is ``flat[n * n_step + s * s_step + l *
l_step]`` with ``l_step`` 1, or 0 for a mask broadcast over queries (a key-padding mask), and the other steps 0
where broadcast, so that every mask shape has one Numba type.
"""
import numpy as np

from ._float_math import vector_exp
from ._parallel import CONTRACT, twin_kernels


def _make_exp_scores(loop):
    def exp_scores(scores, mask, mask_n, mask_s, mask_l, has_mask, is_causal, scale):
        """In place on (N, S, L) raw k @ q^T scores: scale, add mask, causal mask (key s > query l), subtract
        the max over s of each query l, exp."""
        N, S, L = scores.shape
        for n in loop(N):
            top = np.empty(L, dtype=scores.dtype)
            for l in range(L):
                top[l] = -np.inf
            for s in range(S):
                start = n * mask_n + s * mask_s
                if has_mask and mask_l == 0:
                    add = mask[start]
                    for l in range(L):
                        scores[n, s, l] = scores[n, s, l] * scale + add
                elif has_mask:
                    for l in range(L):
                        scores[n, s, l] = scores[n, s, l] * scale + mask[start + l]
                else:
                    for l in range(L):
                        scores[n, s, l] = scores[n, s, l] * scale
                if is_causal:
                    for l in range(min(s, L)):
                        scores[n, s, l] = -np.inf
                for l in range(L):
                    val = scores[n, s, l]
                    top[l] = val if val > top[l] else top[l]
            for l in range(L):  # a fully masked query keeps -inf scores: exp gives 0, sum 0
                top[l] = 0.0 if top[l] == -np.inf else top[l]
            for s in range(S):
                for l in range(L):
                    scores[n, s, l] = vector_exp(scores[n, s, l] - top[l])
    return exp_scores


exp_scores = twin_kernels(_make_exp_scores, fastmath=CONTRACT)


def _make_normalize_rows(loop):
    def normalize_rows(attn, nan_rows, keep, keep_n, keep_s, keep_l, has_dropout, drop_scale, attn_drop):
        """In place on (N, S, L): ``exp_scores``'s exps -> probabilities over s; attn_drop gets the dropped-out
        copy (keep is flat like shift_scores's mask)."""
        N, S, L = attn.shape
        for n in loop(N):
            total = np.empty(L, dtype=np.float64)  # float64 sums, also of float32 scores
            for l in range(L):
                total[l] = 0.0
            for s in range(S):
                for l in range(L):
                    total[l] += attn[n, s, l]
            # fully masked (otherwise the max entry alone contributes exp(0) = 1): 0 * inv fills the query
            fill = np.nan if nan_rows else 0.0
            inv = np.empty(L, dtype=attn.dtype)  # scaling in the scores' dtype: twice the lanes of float64
            for l in range(L):
                inv[l] = fill if total[l] == 0.0 else 1.0 / total[l]
            for s in range(S):
                for l in range(L):
                    attn[n, s, l] = attn[n, s, l] * inv[l]
            if has_dropout:  # a loop nest of its own: inside the one above it kept LLVM from vectorising
                for s in range(S):
                    start = n * keep_n + s * keep_s
                    if keep_l:
                        for l in range(L):
                            attn_drop[n, s, l] = attn[n, s, l] * drop_scale if keep[start + l] else 0.0
                    else:
                        kept = keep[start]
                        for l in range(L):
                            attn_drop[n, s, l] = attn[n, s, l] * drop_scale if kept else 0.0
    return normalize_rows


normalize_rows = twin_kernels(_make_normalize_rows)


def _make_masked_softmax_backward(loop):
    def masked_softmax_backward(grad, attn, used):
        """In place on (N, S, L): grad = G = dL/d(used probabilities) -> dL/d(masked, scaled scores). ``used`` is
        attn, or its dropped-out copy: then dL/d(attn) = G * keep * scale, and attn * (dL/d(attn) - sum_s attn *
        dL/d(attn)) = used * G - attn * sum_s used * G needs no keep-mask."""
        N, S, L = attn.shape
        for n in loop(N):
            # in the scores' dtype, as PyTorch's softmax backward: float64 sums of float32 products took 1.4x the
            # kernel's time; the returned weights keep normalize_rows's float64 sums (8x closer than PyTorch's)
            dot = np.empty(L, dtype=grad.dtype)
            for l in range(L):
                dot[l] = 0.0
            for s in range(S):
                for l in range(L):
                    dot[l] += grad[n, s, l] * used[n, s, l]
            for s in range(S):
                for l in range(L):
                    grad[n, s, l] = used[n, s, l] * grad[n, s, l] - attn[n, s, l] * dot[l]
    return masked_softmax_backward


masked_softmax_backward = twin_kernels(_make_masked_softmax_backward)
