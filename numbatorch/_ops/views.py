"""Views and reshaping: view/reshape/squeeze/transpose/permute/expand/narrow/select, clone (the permutation and
broadcasting views are defined in ``permutations.py`` and ``broadcasting.py``).

Ops whose result can be a numpy view of the input return tensors sharing memory, the version counter
and base with their input, as PyTorch's views do. Everything else returns fresh memory.
"""
import math

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import normalize_dim, record, zeros

__all__ = [
    "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims", "permute", "t",
    "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "broadcast_shapes", "narrow", "select", "clone",
    "ravel",
]

def _as_view(out, input):
    """Make ``out`` (whose data is a numpy view of ``input``'s) share its version counter and base."""
    out._version_counter = input._version_counter
    out._base = root = input if input._base is None else input._base
    # The base's history this view was taken from; an in-place op on the base later makes the view's
    # grad_fn stale, and Node.set_inputs then re-derives it from the base (as PyTorch does).
    out._view_base_fn = root.grad_fn
    return out


def _view(input, arr, node_cls, **saved):
    return _as_view(record(arr, node_cls, (input,), **saved), input)


def _size_args(args):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)`` as a tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(a if type(a) is int else int(a) for a in args)


def _infer_shape(shape, numel):
    """``shape`` with its -1 entry resolved; PyTorch's errors for impossible shapes."""
    infer = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if infer >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                                   "unspecified dimension size -1 can be any value and is ambiguous")
        elif numel % known == 0:
            return shape[:infer] + (numel // known,) + shape[infer + 1:]
    elif known == numel:
        return shape
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _dims_arg(dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return dims


class ViewBackward0(Node):
    """Every op that only changes the shape of contiguous data: the gradient is reshaped back."""

    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.reshape(self.shape)

    def backward_graph(self, grad):
        return grad.reshape(self.shape)


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


class SqueezeBackward0(ViewBackward0):
    __slots__ = ()


class SqueezeBackward1(ViewBackward0):
    __slots__ = ()


class SqueezeBackward2(ViewBackward0):
    __slots__ = ()


class UnsqueezeBackward0(ViewBackward0):
    __slots__ = ()


class AliasBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad

    def backward_graph(self, grad):
        return grad


class CloneBackward0(AliasBackward0):
    __slots__ = ()


class SliceBackward0(Node):
    """Gradient of a basic-indexing view: zeros with the view's region set to the incoming gradient."""

    __slots__ = ("shape", "index")

    def backward(self, grad):
        g = zeros(self.shape, grad.dtype, like=grad)
        g[self.index] = grad
        return g

    def backward_graph(self, grad):
        return slice_grad(grad, self.shape, self.index)


def slice_grad(grad, shape, index):
    """Zeros of ``shape`` with the Tensor ``grad`` at basic index ``index``, recorded: its gradient is the slice."""
    g = zeros(shape, grad._data.dtype, like=grad._data)
    g[index] = grad._data
    return record(g, _SliceGradBackward, (grad,), index=index)


class _SliceGradBackward(Node):
    """Graph of a slice's gradient (zeros around the incoming gradient): its own gradient is the slice again."""

    __slots__ = ("index",)

    def backward(self, grad):
        return grad[self.index]

    def backward_graph(self, grad):
        return grad[self.index]


class SelectBackward0(SliceBackward0):
    __slots__ = ()


def _reshaped(data, shape):
    """``data`` reshaped to ``shape`` without copying, or None when the strides make a copy necessary.

    Invalid shapes raise PyTorch's errors (numpy would also accept e.g. -2 as the unknown dimension).
    """
    if shape and min(shape) < -1:
        _infer_shape(_size_args((shape,)), data.size)
    try:
        if data.flags.c_contiguous:
            return data.reshape(shape)
        return np.reshape(data, shape, copy=False)
    except (ValueError, TypeError):
        shape = _infer_shape(_size_args((shape,)), data.size)  # raises PyTorch's message for a bad shape
        try:
            return np.reshape(data, shape, copy=False)
        except ValueError:
            return None


def _shape_arg(shape):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)`` as a tuple."""
    if len(shape) == 1 and type(shape[0]) is not int:
        return tuple(shape[0])
    return shape


@tensor_method()
def view(self, *shape):
    """A tensor with the same data and a new shape (or reinterpreted as another dtype); never copies."""
    if len(shape) == 1 and isinstance(shape[0], dt.dtype):
        return _as_view(Tensor._make(self._data.view(shape[0].np)), self)
    data = self._data
    arr = _reshaped(data, _shape_arg(shape))
    if arr is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return _view(self, arr, ViewBackward0, shape=data.shape)


@tensor_method("reshape")
def _reshape_method(self, *shape):
    """The data with shape ``shape`` (a view when the layout allows, else a copy); one size may be -1."""
    return reshape(self, _shape_arg(shape))


def reshape(input, shape):
    """``input`` with a new shape: a view when the strides allow it, else a copy."""
    data = input._data
    if type(shape) is int:
        shape = (shape,)
    arr = _reshaped(data, shape)
    if arr is None:
        return record(np.reshape(data, _infer_shape(_size_args((shape,)), data.size)), UnsafeViewBackward0,
                      (input,), shape=data.shape)
    return _view(input, arr, ViewBackward0, shape=data.shape)


@tensor_method()
def view_as(self, other):
    """A view of this tensor with ``other``'s shape."""
    return view(self, other._data.shape)


@tensor_method()
def reshape_as(self, other):
    """This tensor reshaped to ``other``'s shape (a view when possible)."""
    return reshape(self, other._data.shape)


@tensor_method()
def flatten(input, start_dim=0, end_dim=-1):
    """Flattens dimensions ``start_dim`` to ``end_dim`` into one (a view when possible)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start = normalize_dim(start_dim, len(shape))
    end = normalize_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    # the product, not -1: an empty input would leave -1 ambiguous
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


@tensor_method()
def ravel(input):
    """The elements as a 1-D tensor (a view when possible)."""
    return reshape(input, (-1,))


@tensor_method()
def unflatten(input, dim, sizes):
    """Expands dimension ``dim`` into the shape ``sizes``."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    try:
        sizes = _infer_shape(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({shape[d]}) in the input tensor") from None
    return view(input, shape[:d] + sizes + shape[d + 1:]) if input._data.flags.c_contiguous else \
        reshape(input, shape[:d] + sizes + shape[d + 1:])


@tensor_method()
def squeeze(input, dim=None):
    """A view without the size-1 dimensions (all, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        new, cls = tuple(s for s in shape if s != 1), SqueezeBackward0
    else:
        if isinstance(dim, (tuple, list)):
            dims, cls = {normalize_dim(d, len(shape)) for d in dim}, SqueezeBackward2
        else:
            dims, cls = {normalize_dim(dim, len(shape))}, SqueezeBackward1
        new = tuple(s for i, s in enumerate(shape) if s != 1 or i not in dims)
    return _view(input, input._data.reshape(new), cls, shape=shape)


@tensor_method()
def unsqueeze(input, dim):
    """A view with a size-1 dimension inserted at ``dim``."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape) + 1)
    return _view(input, input._data.reshape(shape[:d] + (1,) + shape[d:]), UnsqueezeBackward0, shape=shape)


@tensor_method()
def narrow(input, dim, start, length):
    """A view of ``length`` elements of ``input`` along ``dim``, starting at ``start``."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape))
    start, length = int(start), int(length)
    n = shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    index = (slice(None),) * d + (slice(start, start + length),)
    return _view(input, input._data[index], SliceBackward0, shape=shape, index=index)


@tensor_method()
def select(input, dim, index):
    """A view of the slice ``index`` along ``dim``, the dimension removed."""
    shape = input._data.shape
    d = normalize_dim(dim, len(shape))
    i = int(index)
    if not -shape[d] <= i < shape[d]:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(shape)} at dimension {d}")
    idx = (slice(None),) * d + (i + shape[d] if i < 0 else i, Ellipsis)
    return _view(input, input._data[idx], SelectBackward0, shape=shape, index=idx)


@tensor_method()
def clone(input, *, memory_format=None):
    """A copy of ``input`` that stays in the autograd graph (gradients flow back to ``input``)."""
    return record(input._data.copy(), CloneBackward0, (input,))


@tensor_method()
def contiguous(self, memory_format=None):
    """This tensor if it is contiguous, else a contiguous (row-major) copy."""
    return self if self._data.flags.c_contiguous else clone(self)


# The permutation and broadcasting views build on _view above; they live in their own modules and are re-exported
# here.
from .permutations import moveaxis, movedim, permute, swapaxes, swapdims, t, transpose  # noqa: E402,F401
from .broadcasting import _expand, broadcast_shapes, broadcast_tensors, broadcast_to  # noqa: E402,F401
