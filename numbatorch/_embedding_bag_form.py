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

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")


def _check(weight, indices, offsets, mode, per_sample_weights):
    for arg, what in ((indices, "#1 'indices'"), (offsets, "#2 'offsets'")):
        if arg._data.dtype not in (np.int64, np.int32):
            raise RuntimeError(f"Expected tensor for argument {what} to have one of the following scalar types: "
                               f"Long, Int; but got {arg.type()} instead (while checking arguments for embedding_bag)")
    if mode not in (0, 1, 2):
        raise RuntimeError("`mode` must be sum, mean, or max.")
    if offsets.dim() != 1:
        raise RuntimeError(f"offsets has to be a 1D Tensor, but got Tensor of dimension {offsets.dim()}")
    starts = offsets._data
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(starts[0])}\n[ {offsets.type()}{{}} ]")
    if starts.size and starts[-1] > indices.numel():
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {indices.numel()} but got "
                           f"offsets[-1] of {int(starts[-1])}")
    if per_sample_weights is not None:
        if mode != 0:
            raise RuntimeError("embedding_bag: per_sample_weights only supported with mode='sum'")
        if per_sample_weights.numel() != indices.numel():
            raise RuntimeError("Expected per_sample_weights.value().numel() == indices.numel() to be true, but got "
                               "false.  (Could this error message be improved?  If so, please report an enhancement "
                               "request to PyTorch.)")


def _check_range(weight, flat, fast_path):
    bad = np.flatnonzero((flat < 0) | (flat >= weight.shape[0]))
    if not bad.size:
        return
    if fast_path:
        # PyTorch's fast kernel (FBGEMM) words it so; the position it names is FBGEMM's own, not always this one.
        raise RuntimeError(f"Index {bad[0]} of input takes value {flat[bad[0]]} which is not in the valid range "
                           f"[0, {weight.shape[0]})")
    raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                       f"{flat[bad[0]]}")


def _is_fast_path(weight, mode, padding_idx):
    """PyTorch's fast sum kernel: float32/float16/bfloat16 rows with unit stride and no padding index."""
    rows = weight._data
    return (mode == 0 and padding_idx is None and weight.dtype.name in ("float32", "float16", "bfloat16")
            and rows.strides[1] == rows.itemsize)


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
    _check(weight, indices, offsets, mode, per_sample_weights)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    fast_path = _is_fast_path(weight, mode, padding_idx)
    flat = indices._data.reshape(-1)
    _check_range(weight, flat, fast_path)
    output = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=_MODES[mode],
                             sparse=sparse, per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    int_dtype = np.int64 if np.int64 in (indices._data.dtype, offsets._data.dtype) else np.int32
    differentiable = weight.requires_grad or (per_sample_weights is not None and per_sample_weights.requires_grad)
    aux = _auxiliary(weight, flat, offsets._data.astype(np.int64), mode, include_last_offset, padding_idx,
                     differentiable, fast_path)
    return (output,) + tuple(Tensor._make(a.astype(int_dtype)) for a in aux)
