"""Sorting and searching: sort, argsort, msort, topk, kthvalue, unique, unique_consecutive, searchsorted,
bucketize.

Sorts are numpy's stable sorts (NaN ordered as the largest value, like PyTorch); gradients of the value outputs
go back to the positions the indices name.
"""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ..backends import kernel_family
from ._util import normalize_dim, record
from .. import return_types
from ._reduce_util import _SelectBackward

searchsorted_forward = kernel_family("sorting").searchsorted_forward

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive", "searchsorted",
           "bucketize"]


class SortBackward0(_SelectBackward):
    __slots__ = ()


class SortBackward1(_SelectBackward):
    """Backward of the ``stable=`` overload of sort."""

    __slots__ = ()


class TopkBackward0(_SelectBackward):
    __slots__ = ()


class KthvalueBackward0(_SelectBackward):
    __slots__ = ()


def _sort_order(x, d, descending):
    """Indices sorting ``x`` along ``d``; equal values keep their original order in both directions."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    # A stable ascending sort of the reversed axis, reversed back, is descending with ties in original order.
    order = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return (x.shape[d] - 1) - np.flip(order, d)


def _select(input, idx, d, node_cls, kind, keepdim=True):
    x = input._data
    vals = np.take_along_axis(x, idx, d) if x.ndim else x.copy()
    if not keepdim and x.ndim:
        vals, idx = vals.squeeze(d), idx.squeeze(d)
    out = record(vals, node_cls, (input,), indices=idx, dim=d, shape=x.shape, keepdim=keepdim)
    return getattr(return_types, kind)(out, Tensor._make(idx))


@tensor_method("sort")
def sort(input, dim=-1, descending=False, *, stable=None):
    """(values, indices) sorted along ``dim``; always stable (equal values keep their order)."""
    x = input._data
    d = normalize_dim(dim, x.ndim)
    idx = _sort_order(x, d, descending) if x.ndim else np.zeros((), np.int64)
    return _select(input, idx, d, SortBackward0 if stable is None else SortBackward1, "sort")


@tensor_method("argsort")
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim`` (descending with ``descending=True``)."""
    x = input._data
    d = normalize_dim(dim, x.ndim)
    return Tensor._make(_sort_order(x, d, descending) if x.ndim else np.zeros((), np.int64))


@tensor_method("msort")
def msort(input):
    """``input`` sorted along dim 0, in ascending order."""
    return sort(input, 0).values


@tensor_method("topk")
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` with their indices, in sorted order."""
    x = input._data
    d = normalize_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if not x.ndim:
        return _select(input, np.zeros((), np.int64), d, TopkBackward0, "topk")
    idx = np.take(_sort_order(x, d, largest), np.arange(k, like=x), axis=d)
    return _select(input, idx, d, TopkBackward0, "topk")


@tensor_method("kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value (1-based) along ``dim`` and its index."""
    x = input._data
    d = normalize_dim(dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if x.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if not x.ndim:
        return _select(input, np.zeros((), np.int64), d, KthvalueBackward0, "kthvalue", keepdim)
    idx = np.take(_sort_order(x, d, False), [k - 1], axis=d)
    return _select(input, idx, d, KthvalueBackward0, "kthvalue", keepdim)


class _NotDifferentiable(Node):
    """Recorded like PyTorch (the output requires grad) but backward refuses: the op has no derivative."""

    __slots__ = ()
    op_name = ""

    def backward(self, grad):
        raise NotImplementedError(f"the derivative for '{self.op_name}' is not implemented.")

    backward_graph = backward  # the same error under create_graph=True


class Unique2Backward0(_NotDifferentiable):
    __slots__ = ()
    op_name = "_unique2"


class UniqueDimBackward0(_NotDifferentiable):
    __slots__ = ()
    op_name = "unique_dim"


class UniqueConsecutiveBackward0(_NotDifferentiable):
    __slots__ = ()
    op_name = "unique_consecutive"


def _unique_result(input, node_cls, output, inverse, counts, return_inverse, return_counts):
    out = record(output, node_cls, (input,))
    if not (return_inverse or return_counts):
        return out
    result = (out,)
    if return_inverse:
        result += (Tensor._make(np.asarray(inverse, dtype=np.int64, like=output)),)
    if return_counts:
        result += (Tensor._make(np.asarray(counts, dtype=np.int64, like=output)),)
    return result


@tensor_method("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct values (or slices along ``dim``) in ascending order; optionally inverse indices and counts."""
    x = input._data
    if dim is None:
        output, inverse, counts = np.unique(x.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        d = normalize_dim(dim, x.ndim)
        output, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _unique_result(input, Unique2Backward0 if dim is None else UniqueDimBackward0, output, inverse, counts,
                          return_inverse, return_counts)


@tensor_method("unique_consecutive")
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one."""
    x = input._data
    if dim is None:
        d, moved = 0, x.reshape(-1)
    else:
        d = normalize_dim(dim, x.ndim)
        moved = np.moveaxis(x, d, 0)
    n = moved.shape[0]
    starts = np.ones(n, dtype=bool, like=x)
    if n > 1:
        differs = moved[1:] != moved[:-1]
        starts[1:] = differs.reshape(n - 1, -1).any(axis=1)
    output = moved[starts]
    if dim is not None:
        output = np.moveaxis(output, 0, d)
    inverse = np.cumsum(starts) - 1
    if dim is None:
        inverse = inverse.reshape(x.shape)
    counts = np.diff(np.append(np.flatnonzero(starts), n))
    return _unique_result(input, UniqueConsecutiveBackward0, np.ascontiguousarray(output, like=output), inverse, counts,
                          return_inverse, return_counts)


def _as_array(x, like=None):
    return x._data if isinstance(x, Tensor) else np.asarray(x, like=like)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Insertion points of ``input`` in the innermost dim of ``sorted_sequence`` (left by default)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = _as_array(sorted_sequence)
    values = _as_array(input, like=seq)
    if sorter is not None:
        seq = np.take_along_axis(seq, _as_array(sorter), -1)
    common = np.result_type(seq, values)
    seq, values = seq.astype(common, copy=False), values.astype(common, copy=False)
    out_dtype = np.int32 if out_int32 else np.int64
    if seq.ndim == 1:
        out = np.searchsorted(seq, values, side="right" if right else "left")
        return Tensor._make(np.asarray(out, dtype=out_dtype, like=seq))
    if seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    seq_rows = np.ascontiguousarray(seq, like=seq).reshape(-1, seq.shape[-1])
    val_rows = np.ascontiguousarray(values, like=values).reshape(seq_rows.shape[0], -1)
    out = searchsorted_forward(seq_rows, val_rows, bool(right))
    return Tensor._make(out.reshape(values.shape).astype(out_dtype, copy=False))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """Index of the bucket of each value: boundaries[i-1] < x <= boundaries[i] (``<=``/``<`` with ``right``)."""
    b = _as_array(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
