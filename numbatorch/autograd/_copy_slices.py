"""In-place ops on views: PyTorch's ``CopySlices`` rebase of the base tensor's graph history.

When an in-place op writes through a view, the view's root base takes a ``CopySlices`` node whose
gradient is the incoming gradient with the view's region zeroed (for the base's old history) plus that
region (for the op's result). The view itself then reads from the base's new history through an
``AsStridedBackward0`` node. The region is located from the numpy strides/offsets of the view inside
the base, so it works for any view (slices with steps, transposes, views of views, non-contiguous bases).
"""
import re

import numpy as np

from ..backends._arrays import as_strided as _as_strided
from .graph import Node


class ViewRegion:
    """Where a view's elements lie inside its base, in element units of a buffer laid out like the base."""

    __slots__ = ("size", "base_offset", "base_shape", "base_strides", "view_offset", "view_shape",
                 "view_strides")

    def base_in(self, buf):
        """``buf`` (a 1-D buffer of ``size`` elements) seen with the base's shape and memory layout."""
        item = buf.itemsize
        return _as_strided(buf[self.base_offset:], self.base_shape, tuple(s * item for s in self.base_strides))

    def view_in(self, buf):
        """``buf`` seen as the view's elements (a writable numpy view of the base's region)."""
        item = buf.itemsize
        return _as_strided(buf[self.view_offset:], self.view_shape, tuple(s * item for s in self.view_strides))


def _extent(arr):
    """(lowest, one past highest) byte offsets touched by ``arr`` relative to its first element."""
    lo = 0
    hi = arr.itemsize
    for n, s in zip(arr.shape, arr.strides):
        span = max(n - 1, 0) * s
        if span < 0:
            lo += span
        else:
            hi += span
    return lo, hi


def view_region(base, view):
    """The ``ViewRegion`` of numpy array ``view`` inside numpy array ``base``, or None when ``view`` is not a
    strided view of ``base``'s memory with the same dtype (then no region can be derived)."""
    item = base.itemsize
    if view.dtype != base.dtype or base.size == 0:
        return None
    delta = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    blo, bhi = _extent(base)
    vlo, vhi = _extent(view)
    if delta + vlo < blo or delta + vhi > bhi:
        return None
    if delta % item or any(s % item for s in base.strides) or any(s % item for s in view.strides):
        return None
    r = ViewRegion()
    r.size = (bhi - blo) // item
    r.base_offset = -blo // item
    r.base_shape = base.shape
    r.base_strides = tuple(s // item for s in base.strides)
    r.view_offset = (delta - blo) // item
    r.view_shape = view.shape
    r.view_strides = tuple(s // item for s in view.strides)
    return r


class CopySlices(Node):
    """New history of a base written through a view: inputs (base's old history, the op's result)."""

    __slots__ = ("region",)

    def backward(self, grad):
        region = self.region
        buf = np.empty_like(grad, shape=region.size)
        base_grad = region.base_in(buf)
        base_grad[...] = grad
        inside = region.view_in(buf)
        result_grad = inside.copy() if self.inputs[1] is not None else None
        inside[...] = 0
        return (base_grad if self.inputs[0] is not None else None), result_grad

    def backward_graph(self, grad):
        from .._ops._util import record
        from .._tensor import Tensor
        region = self.region
        base_grad = result_grad = None
        if self.inputs[0] is not None:  # the overwritten region gets no gradient: a constant mask
            buf = np.ones_like(grad._data, shape=region.size)
            region.view_in(buf)[...] = 0
            base_grad = grad * Tensor._make(region.base_in(buf).copy())
        if self.inputs[1] is not None:  # the region read out of grad, as the view itself reads its base
            result_grad = record(_region_gather(region, grad._data), AsStridedBackward0, (grad,), region=region)
        return base_grad, result_grad


class AsStridedBackward0(Node):
    """A view's history read from its base: scatter the view's gradient into zeros shaped like the base."""

    __slots__ = ("region",)

    def backward(self, grad):
        region = self.region
        buf = np.zeros_like(grad, shape=region.size)
        region.view_in(buf)[...] = grad
        return region.base_in(buf)

    def backward_graph(self, grad):
        from .._ops._util import record
        return record(self.backward(grad._data), _RegionScatterBackward, (grad,), region=self.region)


def _region_gather(region, base_like):
    """The view's elements of an array laid out like the base (a copy)."""
    buf = np.empty_like(base_like, shape=region.size)
    region.base_in(buf)[...] = base_like
    return region.view_in(buf).copy()


class _RegionScatterBackward(Node):
    """Graph of a view's gradient scattered into its base: its own gradient reads the view's region back."""

    __slots__ = ("region",)

    def backward(self, grad):
        return _region_gather(self.region, grad)

    def backward_graph(self, grad):
        from .._ops._util import record
        return record(self.backward(grad._data), AsStridedBackward0, (grad,), region=self.region)


def check_view_writable(view):
    """PyTorch's error for writing into a view whose elements overlap (e.g. ``expand``)."""
    data = view._data
    if not data.flags.writeable and any(s == 0 and n > 1 for n, s in zip(data.shape, data.strides)):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")


def rebase_region(view, result):
    """The region to rebase when the in-place op writing ``result`` into ``view`` must be recorded on the
    base (autograd is on); None when the plain in-place path applies. Raises PyTorch's errors."""
    base = view._base
    fn = view.grad_fn
    if fn is None:
        # A view of a tensor outside the graph is rebased only when the written value brings history in;
        # a detached tensor (same array as its base, or a grad-free view of a base in the graph) never is.
        if result.grad_fn is None or base._requires_grad or view._data is base._data:
            return None
    else:
        if base.grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        if fn.num_outputs > 1:
            op = re.sub(r"Backward\d*$", "", fn.name())
            raise RuntimeError(f"Output {view._output_nr} of {op} is a view "
                               "and is being modified inplace. This view is the output of a function that returns "
                               "multiple views. Such functions do not allow the output views to be modified "
                               "inplace. You should replace the inplace operation by an out-of-place one.")
    return view_region(base._data, view._data)


def rebase_view(view, result, region):
    """Record the in-place write of ``result`` into ``view`` on the view's base (``CopySlices``), then give
    the view a history read from the base. The caller has validated ``result`` and copies its data after."""
    base = view._base
    node = result.grad_fn
    if node is not None:
        # The op's node snapshotted its inputs' histories when it was recorded, so inputs that are the base or
        # views of it already point at the base's OLD history (no cycle). Don't keep the op's result data alive
        # in the graph: only its shape and dtype are needed.
        src = result._data
        result._data = _as_strided(np.zeros(1, dtype=src.dtype), src.shape, (0,) * src.ndim)
    # CopySlices snapshots the base's current (old) history as its first edge before the base takes it.
    copy = CopySlices((base if base._requires_grad else None, result if node is not None else None))
    copy.region = region
    base.grad_fn = copy
    base._output_nr = 0
    base._requires_grad = True
    as_strided = AsStridedBackward0((base,))
    as_strided.region = region
    view.grad_fn = as_strided
    view._output_nr = 0
    view._requires_grad = True
    view._view_base_fn = copy


def refresh_view_history(view):
    """Give a view whose base has since taken a new history (an in-place op) a grad_fn reading from it."""
    base = view._base
    region = view_region(base._data, view._data)
    if region is None:
        return
    node = AsStridedBackward0((base,))
    node.region = region
    view.grad_fn = node
    view._output_nr = 0
    view._requires_grad = True
    view._view_base_fn = base.grad_fn
