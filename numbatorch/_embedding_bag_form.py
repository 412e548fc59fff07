"""``torch.embedding_bag``: the ATen form of ``nn.functional.embedding_bag`` (mode as 0/1/2, offsets required),
which also returns the auxiliary tensors PyTorch's CPU kernel computes for its backward.

Those are ``offset2bag`` (the bag of each index; empty on PyTorch's fast sum path), ``bag_size`` (the
non-padding indices per bag; zeros in sum mode) and ``max_indices`` (max mode: the row of ``weight`` that gave
each output element, 0 for an empty bag; mean mode: ``bag_size``; sum mode: zeros). They share the index dtype
(int64 when indices or offsets are int64) and are outside the graph.
"""
import numpy as np

from ._tensor import Tensor
from .nn import functional as F
from .nn.functional._embedding_bag_checks import (check_index_range, check_kernel, is_fast_path,
                                                    normalized_padding_idx)

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")


def _auxiliary(weight, flat, starts, mode, include_last_offset, padding_idx, differentiable, fast_path):
    num_bags = max(starts.size - 1, 0) if include_last_offset else starts.size
    # The last bag runs to the end of the indices, as in PyTorch's CPU kernel.
    bag_of = np.clip(np.searchsorted(starts, np.arange(flat.size), side="right") - 1, 0, max(num_bags - 1, 0))
    keep = np.ones(flat.size, dtype=bool) if padding_idx is None else flat != padding_idx
    offset2bag = np.zeros(0, dtype=np.int64) if fast_path else bag_of
    if mode == 0:
        # PyTorch's forward-only kernel (no operand requires grad) makes them one per offset, else one per bag.
        bag_size = np.zeros(num_bags if differentiable else starts.size, dtype=np.int64)
        return offset2bag, bag_size, bag_size.copy()
    bag_size = np.bincount(bag_of[keep], minlength=num_bags)[:num_bags]
    if mode == 1:
        return offset2bag, bag_size, bag_size.copy()
    rows = weight._data
    max_indices = np.zeros((num_bags, rows.shape[1]), dtype=np.int64)
    for bag in range(num_bags):
        members = flat[(bag_of == bag) & keep]
        if members.size:
            max_indices[bag] = members[np.argmax(rows[members], axis=0)]  # the first of equal maxima
    return offset2bag, bag_size, max_indices


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """``(output, offset2bag, bag_size, max_indices)``: ``nn.functional.embedding_bag`` and its auxiliary outputs.

    ``mode`` is 0 (sum), 1 (mean) or 2 (max); ``offsets`` is required."""
    padding_idx = normalized_padding_idx(padding_idx, weight.shape[0])
    check_kernel(weight, indices, offsets, mode, per_sample_weights)
    fast_path = is_fast_path(weight, mode, padding_idx)
    flat = indices._data.reshape(-1)
    check_index_range(weight, flat, mode, padding_idx)
    output = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=_MODES[mode],
                             sparse=sparse, per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    int_dtype = np.int64 if np.int64 in (indices._data.dtype, offsets._data.dtype) else np.int32
    differentiable = weight.requires_grad or (per_sample_weights is not None and per_sample_weights.requires_grad)
    aux = _auxiliary(weight, flat, offsets._data.astype(np.int64), mode, include_last_offset, padding_idx,
                     differentiable, fast_path)
    return (output,) + tuple(Tensor._make(a.astype(int_dtype)) for a in aux)
