"""Scaled dot-product attention on raw numpy arrays (forward and backward).

query (B..., L, E), key (B..., S, E), value (B..., S, Ev); batch dims broadcast.
attn = softmax(q @ k^T * scale + mask), output = dropout(attn) @ v. The matrix
products go to BLAS on contiguous operands broadcast to the full (N, ., .) batch
(strided views copied slice by slice in the workers; layouts: ``_attention_stacks``), the
score-sized ones into reused arrays (``_ReusedArrays``); the scores are kept
transposed, (N, S, L), so that mask, scale, causal mask, softmax and dropout (two Numba passes,
``_attention_softmax``) and the softmax backward run along
contiguous queries. With two or more worker threads each takes slices of heads through all of a pass, products
and softmax kernels (serial builds), so that its slice stays in its core's cache; each head gets the same
kernel and product calls as in one pass over the stack, so the results are the same bits.

Fully masked rows: PyTorch 2.13's F.scaled_dot_product_attention on CPU (math
and fused paths alike) returns 0 for them, with zero gradients; that is the
default here. torch.nn.MultiheadAttention with need_weights=True (or on its fused inference path) returns
NaN for them: pass ``nan_for_fully_masked=True`` to match it.

Dropout randomness stays with the caller: it passes ``dropout_mask`` (bool,
True = keep, broadcastable to (B..., L, S)) and ``dropout_p``; kept
probabilities are scaled by 1 / (1 - p).
"""
import math
import sys

import numpy as np

from . import _attention_softmax as _k
from . import _attention_weights as _w
from . import blas
from ._attention_stacks import (_contiguous, _copy_rows, _empty_stack, _gradients_tiling_base, _grouped, _stack,
                                _stack_group)
from ._conv_threads import run_tasks, worker_count
from . import _parallel
from ._parallel import choose

# Slices of the (N, ., .) stack per worker thread for its products and softmax: a few, so that a slower thread
# (another process on its core) leaves the rest to the others.
SLICES_PER_WORKER = 4
# Score bytes of one slice at most: a slice's scores stay in its core's 2 MiB L2 cache from their product to the
# output's. One thread taking mha_64_h8's 10 MB of scores in 8 slices instead of whole passes over the stack:
# CPU time per step 0.93 -> 0.81 of PyTorch's (16 and 32 slices the same, 4 slices 0.9).
SLICE_BYTES = 1 << 20


class AttentionWorkspace:
    """What the backward pass needs from the forward pass."""

    # keep: the dropout mask as (N, L, S) for the layer above
    # query/key/value: the caller's arrays; q4, k4, v4: them broadcast to the batch as (N / G, G, ., .) stacks
    # (``_stack``; G the group of items that must stay together where the batch axes do not merge, else 1);
    # attn/attn_drop: (N, L, S) views of the kernels' transposed (N, S, L) probabilities
    # head_mean: with ``average_heads``, the used weights averaged over each group of heads, (N / H, L, S); the
    # caller takes it out (the backward never reads it)
    __slots__ = ("query", "key", "value", "q4", "k4", "v4", "attn", "attn_drop", "keep", "drop_scale",
                 "scale", "mask_shape", "head_mean")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))


class _ReusedArrays:
    """Large score-sized arrays kept for reuse once nothing else holds them.

    glibc hands a freed 10 MB block back to the OS, so a fresh one pays its page faults again on every training
    step: the product writing mha_64_h8's scores took about twice as long into new memory. CPython's reference
    count tells when a kept array's last other holder (the graph's workspace, the returned weights) is gone.
    """

    MIN_BYTES = 1 << 20
    # Larger arrays are not kept: four of them would hold gigabytes after a long-sequence call.
    MAX_BYTES = 64 << 20
    KEPT = 4

    def __init__(self):
        self._arrays = []
        self._free_refs = self._refs_when_free()

    @staticmethod
    def _refs_when_free():
        """The count ``empty``'s loop sees for an array only the list holds (measured the same way: interpreters
        differ; -1, never reusing, where there is no reference count)."""
        if not hasattr(sys, "getrefcount"):
            return -1
        for a in [np.empty(0)]:
            return sys.getrefcount(a)

    def empty(self, shape, dtype):
        """An uninitialised array of ``shape`` and ``dtype``: a kept one nobody else holds, or a new one."""
        nbytes = math.prod(shape) * np.dtype(dtype).itemsize
        if not self.MIN_BYTES <= nbytes <= self.MAX_BYTES:
            return np.empty(shape, dtype)
        for a in self._arrays:
            if a.shape == shape and a.dtype == dtype and sys.getrefcount(a) == self._free_refs:
                return a
        fresh = np.empty(shape, dtype)
        self._arrays = self._arrays[1 - self.KEPT:] + [fresh]
        return fresh


_reused = _ReusedArrays()


def _over_stack(run, stack, group=1):
    """Call ``run(items)`` on slices covering the items of ``stack`` (N, ., .) and return True, when the stack is
    large enough to pay for it; else return False. The slices hold whole groups of ``group`` items, go to the
    convolution's worker threads (numpy's products and ufuncs release the GIL; BLAS is held at one thread), and
    are small enough to stay in cache (``SLICE_BYTES``), also on one thread. Each item's product is the same
    one-thread BLAS call either way: the slicing never changes a result."""
    groups = stack.shape[0] // group
    if stack.size < _parallel.MIN_ELEMENTS or groups < 2:
        return False
    workers = worker_count()
    count = min(groups, max(SLICES_PER_WORKER * workers if workers > 1 else 1, -(-stack.nbytes // SLICE_BYTES)))
    if count < 2:
        return False
    bounds = [groups * i // count * group for i in range(count + 1)]
    run_tasks(lambda _, i: run(slice(bounds[i], bounds[i + 1])), count, lambda: None, workers)
    return True


def _matmul(a, b, out):
    """``a @ b`` for (N, ., .) or (N / G, G, ., .) stacks, into ``out``."""
    shape = out.shape
    if not _over_stack(lambda items: np.matmul(a[items], b[items], out=out[items]), out):
        blas.prepare_gemm(shape[-2], a.shape[-1], shape[-1])
        np.matmul(a, b, out=out)
    return out


def _lay_out_weights(used, heads, out):
    """``out`` (N / heads, L, S), C-contiguous = the mean of each group of ``heads`` consecutive items of ``used``
    (N, S, L) transposed, summing heads in order (``np.mean``'s bits; its reduction over the heads' axis took twice
    as long); one head: a transposed copy."""
    _w.transposed_head_mean(used, heads, out.dtype.type(heads), out)


def _forward_by_slices(k4, q4, v4, copies, scores, used, attn_drop, mask, keep_flat, shift_args, normalize_args,
                       output, weights, heads):
    """The forward's products, softmax and returned ``weights`` (``heads`` > 0: ``_lay_out_weights``) per slice of heads
    on the worker threads (``_over_stack``), each slice cache-hot from its scores' product to its output's, the
    softmax in its serial build; False, having done nothing, when the work is too small to split. Each head gets the
    same calls as in one pass. q4, k4, v4 and ``output`` are (N / G, G, ., .) stacks, filled first from ``copies``
    where those hold them; slices hold whole groups of G."""
    nan_rows, has_dropout, drop_scale = normalize_args
    group = q4.shape[1]

    def run(items):
        start, part = items.start, scores[items]
        rows = slice(start // group, items.stop // group)
        _copy_rows(copies, rows)
        np.matmul(k4[rows], np.swapaxes(q4[rows], -1, -2), out=_grouped(part, group))
        _k.exp_scores.serial(part, *_from_item(mask, start), *shift_args)
        _k.normalize_rows.serial(part, nan_rows, *_from_item(keep_flat, start), has_dropout, drop_scale,
                                 attn_drop[items] if has_dropout else attn_drop)
        np.matmul(np.swapaxes(_grouped(used[items], group), -1, -2), v4[rows], out=output[rows])
        if heads:
            _lay_out_weights(used[items], heads, weights[start // heads:items.stop // heads])
    return _over_stack(run, scores, max(heads, group))


def _backward_by_slices(ws, q4, k4, v4, attn_t, used_t, grad_out, copies, grad_scores_t, grads):
    """The backward's products and softmax backward per slice of heads on the worker threads, like
    ``_forward_by_slices`` (``grad_out`` filled first from ``copies`` where they hold it); ``grads`` (query, key,
    value) are filled. False, having done nothing, when too small."""
    grad_query, grad_key, grad_value = grads
    group = q4.shape[1]

    def run(items):
        part = grad_scores_t[items]
        part4 = _grouped(part, group)
        rows = slice(items.start // group, items.stop // group)
        _copy_rows(copies, rows)
        np.matmul(_grouped(used_t[items], group), grad_out[rows], out=grad_value[rows])
        np.matmul(v4[rows], np.swapaxes(grad_out[rows], -1, -2), out=part4)
        _k.masked_softmax_backward.serial(part, attn_t[items], used_t[items])
        np.matmul(np.swapaxes(part4, -1, -2), k4[rows], out=grad_query[rows])
        grad_query[rows] *= ws.scale
        np.matmul(part4, q4[rows], out=grad_key[rows])
        grad_key[rows] *= ws.scale
    return _over_stack(run, attn_t, group)


def _from_item(flat_mask, start):
    """A ``_flat_mask`` for the stack's items from ``start`` on (the same flat array when broadcast over them)."""
    flat, n_step, s_step, l_step = flat_mask
    return flat[start * n_step:], n_step, s_step, l_step


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


def _flat_mask(a, full_shape, dtype):
    """``a`` broadcast to ``full_shape`` (B..., L, S) as (flat, n_step, s_step, l_step), flat read-only: entry
    (n, s, l) of its transposed (N, S, L) view is flat[n * n_step + s * s_step + l * l_step], l_step 0 or 1. A
    copy only of a mask that is not already contiguous in that order (its queries last) or needs broadcasting."""
    S = full_shape[-1]
    a = np.asarray(a, dtype=dtype)
    if a.ndim < 2:
        a = a.reshape((1,) * (2 - a.ndim) + a.shape)
    by_key = np.swapaxes(a, -1, -2)  # (..., S or 1, L or 1)
    Lb = by_key.shape[-1]
    base = np.ascontiguousarray(by_key)
    view = np.broadcast_to(base, full_shape[:-2] + (S, Lb)).reshape((math.prod(full_shape[:-2]), S, Lb))
    flat = (base if np.may_share_memory(view, base) else view).reshape(-1)[:]
    flat.flags.writeable = False
    steps = np.array(view.strides) // view.itemsize
    return flat, int(steps[0]), int(steps[1]), 1 if Lb > 1 else 0


def _as_3d(a, full_shape, dtype):
    """Broadcast ``a`` to ``full_shape`` and view it as (N, L, S) (a copy only if numpy must)."""
    view = np.broadcast_to(np.asarray(a, dtype=dtype), full_shape)
    return view.reshape((math.prod(full_shape[:-2]),) + full_shape[-2:])


def scaled_dot_product_attention_forward(query, key, value, attn_mask=None, dropout_p=0.0,
                                         dropout_mask=None, is_causal=False, scale=None,
                                         nan_for_fully_masked=False, average_heads=0, contiguous_weights=False):
    """Return (output (B..., L, Ev), attn weights (B..., L, S) before dropout, workspace).

    attn_mask: bool (True = take part) or float (added to the scores), broadcastable
    to (B..., L, S). is_causal masks key s > query l (top-left aligned, as torch).
    scale defaults to 1 / sqrt(E) (1 when E is 0). Shapes, mask and dropout_p are checked by the caller.
    average_heads: H > 0 puts the mean over the last batch dim (H heads) of the weights after dropout into the
    workspace's ``head_mean``, (B[:-1]..., L, S), computed beside the softmax (MultiheadAttention's default).
    contiguous_weights (without ``average_heads``): the returned weights are after dropout and C-contiguous, laid out
    beside the softmax (MultiheadAttention's per-head weights); else a transposed view of the kernels' scores.
    """
    query, key, value = np.asarray(query), np.asarray(key), np.asarray(value)
    dtype = _float_dtype(query, key, value)
    query, key, value = (a.astype(dtype, copy=False) for a in (query, key, value))
    batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    L, S = query.shape[-2], key.shape[-2]
    full_shape = batch + (L, S)
    if scale is None:
        # with no features every score is 0 whatever the scale (PyTorch's math path: q and k scaled, then summed)
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0

    group = _stack_group((query, key, value), batch, dtype)
    (q4, k4, v4), copies = _contiguous([_stack(a, batch, dtype, group) for a in (query, key, value)])
    # scores transposed, (N, S, L): the softmax kernels then run along contiguous queries. BLAS measured as fast
    # as the products made inside those kernels at head dim 8, 1.6x faster at 64
    scores = _reused.empty((math.prod(batch), S, L), dtype)
    mask_shape = None
    if attn_mask is not None:
        attn_mask = np.asarray(attn_mask)
        mask_shape = attn_mask.shape
        if attn_mask.dtype == np.bool_:
            mask_shape = None  # a bool mask has no gradient
            attn_mask = np.where(attn_mask, dtype.type(0), dtype.type(-np.inf))
    mask = _flat_mask(0 if attn_mask is None else attn_mask, full_shape, dtype)
    has_dropout = dropout_p > 0.0
    drop_scale = 0.0 if dropout_p >= 1.0 else 1.0 / (1.0 - dropout_p)
    if has_dropout:
        if dropout_mask is None:
            raise ValueError("dropout_p > 0 needs dropout_mask (True = keep)")
        keep = _as_3d(np.asarray(dropout_mask, dtype=np.bool_), full_shape, np.bool_)
        attn_drop = _reused.empty(scores.shape, dtype)
    else:
        keep = np.broadcast_to(np.ones((1, 1, 1), dtype=np.bool_), (scores.shape[0], L, S))
        attn_drop = np.empty((0, 0, 0), dtype=dtype)
    keep_flat = _flat_mask(dropout_mask if has_dropout else True, full_shape, np.bool_)
    used = attn_drop if has_dropout else scores
    shift_args = (attn_mask is not None, bool(is_causal), dtype.type(scale))
    normalize_args = (bool(nan_for_fully_masked), has_dropout, dtype.type(drop_scale))
    # PyTorch's CPU flash path (4-D inputs) keeps the query's layout; its math path (other ranks) returns C order
    output = _empty_stack(query, batch, L, v4.shape[-1], dtype, group, keep_layout=query.ndim == 4)
    # the weights to return laid out as PyTorch's, C-contiguous (N / heads, L, S): averaged over groups of heads,
    # or one by one; the head mean is a kept array like the scores (the caller holds it as long as it is used)
    heads = average_heads or int(contiguous_weights)
    weights = None
    if average_heads:
        weights = _reused.empty((scores.shape[0] // average_heads, L, S), dtype)
    elif contiguous_weights:
        weights = np.empty((scores.shape[0], L, S), dtype)
    if not _forward_by_slices(k4, q4, v4, copies, scores, used, attn_drop, mask, keep_flat, shift_args,
                              normalize_args, output, weights, heads):
        _copy_rows(copies, slice(None))
        _matmul(k4, np.swapaxes(q4, -1, -2), _grouped(scores, group))
        choose(_k.exp_scores, scores.size)(scores, *mask, *shift_args)
        choose(_k.normalize_rows, scores.size)(scores, normalize_args[0], *keep_flat, *normalize_args[1:],
                                               attn_drop)
        _matmul(np.swapaxes(_grouped(used, group), -1, -2), v4, output)
        if heads:
            _lay_out_weights(used, heads, weights)
    ws = AttentionWorkspace(query=query, key=key, value=value, q4=q4, k4=k4, v4=v4, attn=np.swapaxes(scores, 1, 2),
                            attn_drop=np.swapaxes(attn_drop, 1, 2) if has_dropout else None, keep=keep,
                            drop_scale=drop_scale, scale=scale, mask_shape=mask_shape,
                            head_mean=weights.reshape(batch[:-1] + (L, S)) if average_heads else None)
    if not contiguous_weights or average_heads:
        weights = ws.attn
    return output.reshape(batch + output.shape[-2:]), weights.reshape(full_shape), ws


def scaled_dot_product_attention_backward(ws, grad_output):
    """Return (grad_query, grad_key, grad_value, grad_attn_mask).

    Gradients have the shapes of the forward's inputs (broadcast dims summed);
    grad_attn_mask is None unless the mask was a float array.
    """
    attn_t = np.swapaxes(ws.attn, 1, 2)  # (N, S, L), contiguous
    N, S, L = attn_t.shape
    batch = np.broadcast_shapes(ws.query.shape[:-2], ws.key.shape[:-2], ws.value.shape[:-2])
    has_dropout = ws.attn_drop is not None
    used_t = np.swapaxes(ws.attn_drop, 1, 2) if has_dropout else attn_t

    dtype = attn_t.dtype
    grad_scores_t = _reused.empty((N, S, L), dtype)
    grads = _gradients_tiling_base((ws.query, ws.key, ws.value), batch, batch[-1]) if len(batch) >= 2 else None
    group = ws.q4.shape[1] if grads is None else batch[-1]
    if grads is None:
        grads = (_empty_stack(ws.query, batch, L, ws.q4.shape[-1], dtype, group),
                 _empty_stack(ws.key, batch, S, ws.q4.shape[-1], dtype, group),
                 _empty_stack(ws.value, batch, S, ws.v4.shape[-1], dtype, group))
    grad_query, grad_key, grad_value = grads
    q4, k4, v4 = (a.reshape((a.shape[0] * a.shape[1] // group, group) + a.shape[-2:]) for a in (ws.q4, ws.k4, ws.v4))
    (grad_out,), copies = _contiguous([_stack(np.asarray(grad_output), batch, dtype, group)])
    if not _backward_by_slices(ws, q4, k4, v4, attn_t, used_t, grad_out, copies, grad_scores_t, grads):
        _copy_rows(copies, slice(None))
        _matmul(_grouped(used_t, group), grad_out, grad_value)
        _matmul(v4, np.swapaxes(grad_out, -1, -2), _grouped(grad_scores_t, group))
        choose(_k.masked_softmax_backward, attn_t.size)(grad_scores_t, attn_t, used_t)
        _matmul(np.swapaxes(_grouped(grad_scores_t, group), -1, -2), k4, grad_query)
        grad_query *= ws.scale
        _matmul(_grouped(grad_scores_t, group), q4, grad_key)
        grad_key *= ws.scale

    grad_scores = np.swapaxes(grad_scores_t, 1, 2)
    grad_mask = None if ws.mask_shape is None else _sum_to_shape(grad_scores.reshape(batch + (L, S)),
                                                                  ws.mask_shape)
    return (_sum_to_shape(grad_query.reshape(batch + grad_query.shape[-2:]), ws.query.shape),
            _sum_to_shape(grad_key.reshape(batch + grad_key.shape[-2:]), ws.key.shape),
            _sum_to_shape(grad_value.reshape(batch + grad_value.shape[-2:]), ws.value.shape), grad_mask)
