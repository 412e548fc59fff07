"""Laying out attention's operands as stacks of matrices for the batched products: views where BLAS can read
them in place (``_as_stack``), grouped (N / G, G, ., .) where the batch axes do not merge (MultiheadAttention's
heads), copies made row by row in the per-slice workers (``_contiguous``, ``_copy_rows``), and results laid out
as their inputs (``_empty_stack``, ``_gradients_tiling_base``)."""
import math

import numpy as np


def _grouped(a, group):
    """A (N, ., .) stack as (N / group, group, ., .) (a view)."""
    return a.reshape((a.shape[0] // group, group) + a.shape[1:])


def _contiguous(stacks):
    """C-contiguous arrays for ``stacks`` (the same array where one already is) and the (source, destination)
    pairs still to copy (``_copy_rows``): the per-slice workers copy their own rows, in parallel, where a copy
    before them ran serially; the products then read their operands contiguous and cache-hot (BLAS reading
    MultiheadAttention's strided head views directly measured slower in the backward, which reads them again)."""
    arrays = tuple(s if s.flags.c_contiguous else np.empty(s.shape, s.dtype) for s in stacks)
    return arrays, [(s, a) for s, a in zip(stacks, arrays) if a is not s]


def _copy_rows(copies, rows):
    """Copy ``rows`` of each (source, destination) pair of ``_contiguous``."""
    for source, destination in copies:
        np.copyto(destination[rows], source[rows])


def _heads(a, batch, dtype):
    """``a`` (B..., X, Y) broadcast to the full batch, as a C-contiguous (N, X, Y) array."""
    a = np.broadcast_to(a, batch + a.shape[-2:]).reshape((math.prod(batch),) + a.shape[-2:])
    return np.ascontiguousarray(a, dtype=dtype)


def _as_stack(a, batch, dtype, group):
    """``a`` (B..., X, Y) as a (N / group, group, X, Y) stack without copying, or None: where it needs no
    broadcast or cast and BLAS can read its matrices in place (rows contiguous and apart)."""
    if a.shape[:-2] != batch or a.dtype != dtype or a.strides[-1] != a.itemsize or \
            a.strides[-2] < a.shape[-1] * a.itemsize:
        return None
    try:
        return np.reshape(a, (math.prod(batch) // group, group) + a.shape[-2:], copy=False)
    except ValueError:  # the batch axes do not merge in a's layout
        return None


def _stack_group(arrays, batch, dtype):
    """How many consecutive items of the batch the stacks keep together: 1 where every array the products read in
    place merges its batch axes, else the last batch axis (MultiheadAttention's heads, views of its (L, N, 3E)
    projection: their N and H axes do not merge)."""
    if len(batch) < 2 or all(_as_stack(a, batch, dtype, 1) is not None for a in arrays):
        return 1
    return batch[-1] or 1


def _stack(a, batch, dtype, group):
    """``a`` (B..., X, Y) as a (N / group, group, X, Y) stack: a view where ``_as_stack`` allows (``_contiguous``
    then has the per-slice workers copy it), else a C-contiguous copy."""
    stack = _as_stack(a, batch, dtype, group)
    return _grouped(_heads(a, batch, dtype), group) if stack is None else stack


def _gradients_tiling_base(arrays, batch, group):
    """Uninitialised gradients for ``arrays`` as (N / group, group, ., .) stacks lying in one new array as the
    arrays lie in their common base, or None unless they are disjoint views tiling that base exactly.
    MultiheadAttention's q, k and v are views of one (L, N, 3E) projection: gradients in one (L, N, 3E) array,
    written by the per-slice products, let its chunk's backward take that array whole instead of a zero-fill and
    three serial copies."""
    base = arrays[0].base
    if type(base) is not np.ndarray or not base.flags.c_contiguous or not base.size or \
            any(a.base is not base or a.shape[:-2] != batch for a in arrays) or \
            sum(a.size for a in arrays) != base.size or \
            any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:]):
        return None
    joint = np.empty_like(base)
    origin = base.__array_interface__["data"][0]
    grads = tuple(np.ndarray(a.shape, a.dtype, joint, a.__array_interface__["data"][0] - origin, a.strides)
                  for a in arrays)
    stacks = tuple(_as_stack(g, batch, g.dtype, group) for g in grads)
    return None if any(s is None for s in stacks) else stacks


def _empty_stack(like, batch, rows, cols, dtype, group, keep_layout=True):
    """An uninitialised (N / group, group, rows, cols) stack for a result of ``like``'s shape, laid out in
    ``like``'s axis order (with ``keep_layout``) where that keeps the batch axes before the last ``group`` one
    together and the last axis contiguous (as PyTorch's SDPA output: a (B, H, L, E) query stored as (B, L, H, E)
    gives such an output), else C-contiguous. MultiheadAttention's heads are (N, H, L, head_dim) views of (L, N, 3E) projections: its output
    and gradients then lie as (L, N, H, head_dim), so that going back to (L, N, E) is a view, and the per-slice
    products write them in parallel instead of a serial copy after them."""
    shape = (math.prod(batch) // group, group, rows, cols)
    if keep_layout and like.shape == batch + (rows, cols) and like.strides[-1] == like.itemsize:
        try:
            return np.reshape(np.empty_like(like, dtype=dtype), shape, copy=False)
        except ValueError:  # the batch axes do not merge in like's order
            pass
    return np.empty(shape, dtype)
