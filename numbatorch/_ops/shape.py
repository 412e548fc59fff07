"""Shape and view ops: view/reshape, squeeze, transpose/permute, expand, cat/stack/split, flip/roll, tril/diag, clone.

Ops whose result can be a numpy view of the input (view, reshape when possible, squeeze, transpose, permute,
expand, narrow, select, split pieces, diagonal, ...) return tensors sharing memory, the version counter and the
base with their input, as PyTorch's views do. Everything else returns fresh memory.
"""
import warnings

import numpy as np

from .. import _dtype as dt
from .._size import Size
from .._tensor import Tensor, is_grad_recording, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, normalize_dim, record

__all__ = ["reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims",
           "permute", "t", "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
           "repeat_interleave", "tile", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack",
           "dstack", "column_stack", "split", "chunk", "tensor_split", "unbind", "narrow", "select", "flip",
           "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diagonal", "diag_embed", "trace", "clone",
           "ravel", "atleast_1d", "atleast_2d", "atleast_3d", "meshgrid", "block_diag", "cartesian_prod"]


# ---- helpers ----------------------------------------------------------------------------------------------
def _as_view(out, input):
    """Make ``out`` (whose data is a numpy view of ``input``'s) share its version counter and base."""
    out._version = input._version
    out._base = input if input._base is None else input._base
    return out


def _alias(t):
    """A new Tensor object with ``t``'s data and history, for in-place ops to record as their input.

    The in-place op then rebinds ``t.grad_fn`` to its own node; recording ``t`` itself would make that node its
    own input (a cycle), so the node records this alias of the old value's history instead.
    """
    if not t._requires_grad:
        return t
    a = Tensor._make(t._data, t.grad_fn, t._output_nr)
    a._requires_grad = True
    a._version = t._version
    a._base = t._base
    return a


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


def broadcast_shapes(*shapes):
    """The shape all ``shapes`` broadcast to, or PyTorch's error naming the first mismatch."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) at "
                                   f"non-singleton dimension {j}")
    return Size(out)


# ---- backward nodes ---------------------------------------------------------------------------------------
class ViewBackward0(Node):
    """Every op that only changes the shape of contiguous data: the gradient is reshaped back."""

    __slots__ = ("shape",)

    def backward(self, grad):
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


class CloneBackward0(AliasBackward0):
    __slots__ = ()


class ExpandBackward0(AliasBackward0):
    """The engine sums the broadcast gradient back to the input's shape."""

    __slots__ = ()


class TransposeBackward0(Node):
    __slots__ = ("dim0", "dim1")

    def backward(self, grad):
        return grad.swapaxes(self.dim0, self.dim1)


class TBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad.T


class PermuteBackward0(Node):
    __slots__ = ("inverse",)

    def backward(self, grad):
        return grad.transpose(self.inverse)


class SliceBackward0(Node):
    """Gradient of a basic-indexing view: zeros with the view's region set to the incoming gradient."""

    __slots__ = ("shape", "index")

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        g[self.index] = grad
        return g


class SelectBackward0(SliceBackward0):
    __slots__ = ()


class _PiecesBackward(Node):
    """One node for all pieces of split/chunk/unbind: each output is the input at ``index[i]``."""

    __slots__ = ("shape", "index", "num_outputs")

    def backward(self, grads):
        g = None
        for gi, idx in zip(grads, self.index):
            if gi is not None:
                if g is None:
                    g = np.zeros(self.shape, dtype=gi.dtype)
                g[idx] = gi
        return g

    def release(self):
        n = self.num_outputs  # the engine still reads it to report a second backward properly
        Node.release(self)
        self.num_outputs = n


class SplitBackward0(_PiecesBackward):
    __slots__ = ()


class SplitWithSizesBackward0(_PiecesBackward):
    __slots__ = ()


class UnbindBackward0(_PiecesBackward):
    __slots__ = ()


class TensorSplitBackward(_PiecesBackward):
    __slots__ = ()

    def name(self):
        return "SliceBackward0"


class RepeatBackward0(Node):
    """Sum the tiles: reshape the gradient to (r0, s0, r1, s1, ...) and sum the repeat axes."""

    __slots__ = ("repeats", "padded", "shape")

    def backward(self, grad):
        split = []
        for r, s in zip(self.repeats, self.padded):
            split += [r, s]
        g = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return g.reshape(self.shape)


class RepeatInterleaveBackward(Node):
    """Integer repeats: each element was copied ``repeats`` times next to itself along ``dim``."""

    __slots__ = ("shape", "dim", "repeats")

    def name(self):
        return "ViewBackward0"

    def backward(self, grad):
        d = self.dim
        g = grad.reshape(grad.shape[:d] + (grad.shape[d] // self.repeats, self.repeats) + grad.shape[d + 1:])
        return g.sum(axis=d + 1).reshape(self.shape)


class IndexSelectBackward0(Node):
    __slots__ = ("shape", "dim", "index")

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        np.add.at(g, (slice(None),) * self.dim + (self.index,), grad)
        return g


class CatBackward0(Node):
    __slots__ = ("dim", "bounds")

    def backward(self, grad):
        d = self.dim
        return tuple(None if b is None or t is None else grad[(slice(None),) * d + (slice(*b),)]
                     for t, b in zip(self.inputs, self.bounds))


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return tuple(None if t is None else np.take(grad, i, axis=self.dim) for i, t in enumerate(self.inputs))


class FlipBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, grad):
        return np.flip(grad, self.dims)


class RollBackward0(Node):
    __slots__ = ("shifts", "dims", "shape")

    def backward(self, grad):
        if self.dims is None:
            return np.roll(grad.reshape(-1), -self.shifts).reshape(self.shape)
        return np.roll(grad, tuple(-s for s in self.shifts), self.dims)


class Rot90Backward0(Node):
    __slots__ = ("k", "dims")

    def backward(self, grad):
        return np.rot90(grad, -self.k, self.dims)


class TrilBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return np.tril(grad, self.diagonal)


class TriuBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return np.triu(grad, self.diagonal)


class DiagonalBackward0(Node):
    __slots__ = ("shape", "offset", "dim1", "dim2")

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        _diagonal_view(g, self.offset, self.dim1, self.dim2)[...] = grad
        return g


class DiagEmbedBackward0(Node):
    __slots__ = ("offset", "dim1", "dim2")

    def backward(self, grad):
        return _diagonal_view(grad, self.offset, self.dim1, self.dim2)


class TraceBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        g = np.zeros(self.shape, dtype=grad.dtype)
        np.fill_diagonal(g, grad)
        return g


class BlockDiagBackward0(Node):
    __slots__ = ("blocks",)

    def backward(self, grad):
        return tuple(None if t is None else grad[idx].reshape(shape)
                     for t, (idx, shape) in zip(self.inputs, self.blocks))


# ---- view / reshape ---------------------------------------------------------------------------------------
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
    return view(self, other._data.shape)


@tensor_method()
def reshape_as(self, other):
    return reshape(self, other._data.shape)


@tensor_method()
def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start = normalize_dim(start_dim, len(shape))
    end = normalize_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    return reshape(input, shape[:start] + (-1,) + shape[end + 1:])


@tensor_method()
def ravel(input):
    return reshape(input, (-1,))


@tensor_method()
def unflatten(input, dim, sizes):
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
    shape = input._data.shape
    d = normalize_dim(dim, len(shape) + 1)
    return _view(input, input._data.reshape(shape[:d] + (1,) + shape[d:]), UnsqueezeBackward0, shape=shape)


# ---- transpose / permute ----------------------------------------------------------------------------------
@tensor_method("transpose", "swapdims")
def transpose(input, dim0, dim1):
    n = input._data.ndim
    d0, d1 = normalize_dim(dim0, n), normalize_dim(dim1, n)
    if n == 0:
        return _view(input, input._data[...], TransposeBackward0, dim0=0, dim1=0)
    return _view(input, input._data.swapaxes(d0, d1), TransposeBackward0, dim0=d0, dim1=d1)


swapdims = transpose


@tensor_method()
def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


@tensor_method()
def t(input):
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _view(input, input._data.T, TBackward0)


@tensor_method("permute")
def _permute_method(self, *dims):
    return permute(self, _dims_arg(dims))


def permute(input, dims):
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(dims)}")
    perm = tuple(normalize_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(input, input._data.transpose(perm), PermuteBackward0, inverse=tuple(np.argsort(perm).tolist()))


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    src = [normalize_dim(d, n) for d in src]
    dst = [normalize_dim(d, n) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def _numpy_T(self):
    n = self._data.ndim
    return permute(self, tuple(range(n - 1, -1, -1)))


def _matrix_T(self):
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {n}-D tensor.")
    return transpose(self, -2, -1)


def _matrix_H(self):
    if self._data.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor.")
    return _numpy_T(self)


setattr(Tensor, "T", property(_numpy_T))
setattr(Tensor, "mT", property(_matrix_T))
setattr(Tensor, "mH", property(_matrix_T))
setattr(Tensor, "H", property(_matrix_H))


# ---- expand / repeat --------------------------------------------------------------------------------------
@tensor_method("expand")
def _expand_method(self, *sizes):
    return _expand(self, _size_args(sizes))


def _expand(input, sizes):
    data = input._data
    shape = data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand({dt.LEGACY_NAME[input.dtype]}{{{list(shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            continue
        have = shape[i - lead]
        if s == -1:
            target[i] = have
        elif have != 1 and s != have:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
    return _view(input, np.broadcast_to(data, tuple(target)), ExpandBackward0)


@tensor_method()
def expand_as(self, other):
    return _expand(self, other._data.shape)


def broadcast_to(input, size):
    return _expand(input, _size_args((size,)))


Tensor.broadcast_to = broadcast_to


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else _expand(t, shape) for t in tensors)


@tensor_method("repeat")
def _repeat(self, *repeats):
    repeats = _size_args(repeats)
    shape = self._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(repeats) - len(shape)) + shape
    out = np.tile(self._data.reshape(padded), repeats)
    return record(out, RepeatBackward0, (self,), repeats=repeats, padded=padded, shape=shape)


@tensor_method()
def tile(input, dims):
    dims = _size_args((dims,))
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return _repeat(input, dims)


@tensor_method()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated by their counts
        counts = input._data
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    data = input._data
    d = normalize_dim(dim, data.ndim)
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim == 0 or reps.size == 1:
            repeats = int(reps.reshape(()))
        else:
            if reps.ndim != 1 or reps.size != data.shape[d]:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) "
                                   f"= {reps.size} and input.size({d}) = {data.shape[d]}")
            if (reps < 0).any():
                raise RuntimeError("repeats can not be negative")
            index = np.repeat(np.arange(reps.size), reps)
            return record(np.take(data, index, axis=d), IndexSelectBackward0, (input,), shape=data.shape, dim=d,
                          index=index)
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    return record(np.repeat(data, repeats, axis=d), RepeatInterleaveBackward, (input,), shape=data.shape, dim=d,
                  repeats=repeats)


# ---- cat / stack ------------------------------------------------------------------------------------------
def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenate ``tensors`` along ``dim`` (``axis`` is numpy's spelling, accepted like PyTorch does)."""
    if axis is not None:
        dim = axis
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    arrays = [t._data for t in tensors]
    first = arrays[0]
    d = normalize_dim(dim, max(first.ndim, 1))
    dtype = first.dtype
    same = True
    for a in arrays:
        if a.dtype != dtype or a.ndim != first.ndim or a.shape == (0,):
            same = False
            break
    try:
        if not same:
            raise ValueError
        res = np.concatenate(arrays, axis=d)
    except ValueError:
        # Slow path: PyTorch's promotion, its skipping of legacy empty (0,) tensors, and its error messages.
        return _cat_general(tensors, dim, out)
    if is_grad_recording(*tensors):
        bounds = np.cumsum([0] + [a.shape[d] for a in arrays]).tolist()
        res = record(res, CatBackward0, tuple(tensors), dim=d, bounds=list(zip(bounds[:-1], bounds[1:])))
    else:
        res = Tensor._make(res)
    if out is not None:
        out._data = res._data
        return out
    return res


def _cat_general(tensors, dim, out):
    ref = next((t for t in tensors if t._data.shape != (0,)), tensors[0])
    shape = ref._data.shape
    n = len(shape)
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = normalize_dim(dim, n)
    arrays, bounds, offset = [], [], 0
    dtype = tensors[0].dtype
    for i, t in enumerate(tensors):
        a = t._data
        dtype = dt.promote_types(dtype, t.dtype)
        if a.shape == (0,) and n != 1:
            bounds.append(None)
            continue
        if a.ndim != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {a.ndim}")
        for j in range(n):
            if j != d and a.shape[j] != shape[j]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {shape[j]} "
                                   f"but got size {a.shape[j]} for tensor number {i} in the list.")
        arrays.append(a)
        bounds.append((offset, offset + a.shape[d]))
        offset += a.shape[d]
    res = np.concatenate(arrays, axis=d, dtype=dtype.np) if arrays else np.empty((0,), dtype.np)
    result = record(res, CatBackward0, tuple(tensors), dim=d, bounds=bounds)
    if out is not None:
        out._data = result._data
        return out
    return result


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    arrays = [t._data for t in tensors]
    shape, np_dtype = arrays[0].shape, arrays[0].dtype
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(a.shape)} at entry {i}")
        if a.dtype != np_dtype:
            np_dtype = None
    if np_dtype is None:  # mixed dtypes: PyTorch's promotion
        dtype = tensors[0].dtype
        for t in tensors:
            dtype = dt.promote_types(dtype, t.dtype)
        np_dtype = dtype.np
    d = normalize_dim(dim, len(shape) + 1)
    res = np.stack(arrays, axis=d, dtype=np_dtype)
    result = record(res, StackBackward0, tuple(tensors), dim=d)
    if out is not None:
        out._data = result._data
        return out
    return result


def hstack(tensors):
    tensors = atleast_1d(tuple(tensors))
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors):
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors):
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors], 1)


def _atleast(tensors, fn):
    if len(tensors) == 1:
        if isinstance(tensors[0], (tuple, list)):
            return tuple(fn(t) for t in tensors[0])
        return fn(tensors[0])
    return tuple(fn(t) for t in tensors)


def atleast_1d(*tensors):
    return _atleast(tensors, lambda t: reshape(t, (1,)) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    def fn(t):
        n = t._data.ndim
        return t if n >= 2 else reshape(t, (1, t._data.size))
    return _atleast(tensors, fn)


def atleast_3d(*tensors):
    def fn(t):
        shape = t._data.shape
        if len(shape) >= 3:
            return t
        return reshape(t, ((1, 1, 1), (1, t._data.size, 1), shape + (1,))[len(shape)])
    return _atleast(tensors, fn)


# ---- split / select ---------------------------------------------------------------------------------------
def _pieces(input, dim, bounds, node_cls, squeeze_dim=False):
    """Views of ``input`` along ``dim`` for each (start, stop) in ``bounds`` (or each index when squeezing)."""
    data = input._data
    lead = (slice(None),) * dim
    index = [lead + ((b,) if squeeze_dim else (slice(*b),)) for b in bounds]
    arrays = [data[i] for i in index]
    if not is_grad_recording(input):
        return tuple(_as_view(Tensor._make(a), input) for a in arrays)
    node = node_cls((input,))
    node.shape = data.shape
    node.index = index
    node.num_outputs = len(arrays)
    return tuple(_as_view(Tensor._make(a, node, i), input) for i, a in enumerate(arrays))


@tensor_method("split")
def split(tensor, split_size_or_sections, dim=0):
    shape = tensor._data.shape
    d = normalize_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
            return (tensor,)
        starts = range(0, max(n, 1), size)
        return _pieces(tensor, d, [(s, min(s + size, n)) for s in starts], SplitBackward0)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={sizes}")
    bounds = np.cumsum([0] + sizes).tolist()
    return _pieces(tensor, d, list(zip(bounds[:-1], bounds[1:])), SplitWithSizesBackward0)


@tensor_method()
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[normalize_dim(dim, input._data.ndim)]
    return split(input, -(-n // chunks) if n else 0, dim) if n else \
        _pieces(input, normalize_dim(dim, input._data.ndim), [(0, 0)] * chunks, SplitBackward0)


@tensor_method()
def tensor_split(input, indices_or_sections, dim=0):
    d = normalize_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        cuts = np.cumsum([0] + sizes).tolist()
    else:
        cuts = [0] + [min(max(int(i) + (n if i < 0 else 0), 0), n) for i in indices_or_sections] + [n]
    bounds = [(a, max(a, b)) for a, b in zip(cuts[:-1], cuts[1:])]
    return _pieces(input, d, bounds, TensorSplitBackward)


@tensor_method()
def unbind(input, dim=0):
    d = normalize_dim(dim, input._data.ndim)
    return _pieces(input, d, range(input._data.shape[d]), UnbindBackward0, squeeze_dim=True)


@tensor_method()
def narrow(input, dim, start, length):
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
    shape = input._data.shape
    d = normalize_dim(dim, len(shape))
    i = int(index)
    if not -shape[d] <= i < shape[d]:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(shape)} at dimension {d}")
    idx = (slice(None),) * d + (i + shape[d] if i < 0 else i, Ellipsis)
    return _view(input, input._data[idx], SelectBackward0, shape=shape, index=idx)


# ---- flip / roll / rotate ---------------------------------------------------------------------------------
@tensor_method("flip")
def _flip_method(self, *dims):
    return flip(self, _dims_arg(dims))


def flip(input, dims):
    n = input._data.ndim
    dims = tuple(normalize_dim(d, n) for d in ((dims,) if isinstance(dims, int) else dims))
    if n == 0:
        return record(input._data.copy(), FlipBackward0, (input,), dims=())
    return record(np.flip(input._data, dims).copy(), FlipBackward0, (input,), dims=dims)


@tensor_method()
def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@tensor_method()
def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@tensor_method()
def roll(input, shifts, dims=None):
    data = input._data
    if dims is None:
        if not isinstance(shifts, int):
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            shifts = int(shifts[0])
        out = np.roll(data.reshape(-1), shifts).reshape(data.shape)
        return record(out, RollBackward0, (input,), shifts=shifts, dims=None, shape=data.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    dims = tuple(normalize_dim(d, data.ndim) for d in dims)
    return record(np.roll(data, shifts, dims), RollBackward0, (input,), shifts=shifts, dims=dims, shape=data.shape)


@tensor_method()
def rot90(input, k=1, dims=(0, 1)):
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d = tuple(normalize_dim(x, n) for x in dims)
    if d[0] == d[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d[0]} and dim1 = {d[1]}")
    k = k % 4
    return record(np.ascontiguousarray(np.rot90(input._data, k, d)), Rot90Backward0, (input,), k=k, dims=d)


# ---- triangles and diagonals ------------------------------------------------------------------------------
def _check_matrix(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


@tensor_method()
def tril(input, diagonal=0):
    _check_matrix(input, "tril")
    return record(np.tril(input._data, diagonal), TrilBackward0, (input,), diagonal=diagonal)


@tensor_method()
def triu(input, diagonal=0):
    _check_matrix(input, "triu")
    return record(np.triu(input._data, diagonal), TriuBackward0, (input,), diagonal=diagonal)


@tensor_method()
def tril_(self, diagonal=0):
    return apply_inplace(self, tril(_alias(self), diagonal))


@tensor_method()
def triu_(self, diagonal=0):
    return apply_inplace(self, triu(_alias(self), diagonal))


def _diagonal_view(arr, offset, dim1, dim2):
    """Writable strided view of the diagonal of ``arr`` over (dim1, dim2), placed as the last axis."""
    if offset >= 0:
        arr = arr[(slice(None),) * dim2 + (slice(offset, None),)]
    else:
        arr = arr[(slice(None),) * dim1 + (slice(-offset, None),)]
    length = max(min(arr.shape[dim1], arr.shape[dim2]), 0)
    keep = [i for i in range(arr.ndim) if i not in (dim1, dim2)]
    shape = tuple(arr.shape[i] for i in keep) + (length,)
    strides = tuple(arr.strides[i] for i in keep) + (arr.strides[dim1] + arr.strides[dim2],)
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=arr.flags.writeable)


@tensor_method()
def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    d1, d2 = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    arr = _diagonal_view(input._data, offset, d1, d2)
    return _view(input, arr, DiagonalBackward0, shape=input._data.shape, offset=offset, dim1=d1, dim2=d2)


@tensor_method()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    data = input._data
    n = data.ndim + 1
    d1, d2 = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = data.shape[-1] + abs(offset)
    rest = list(data.shape[:-1])
    shape = []
    for i in range(n):
        shape.append(size if i in (d1, d2) else rest.pop(0))
    out = np.zeros(shape, dtype=data.dtype)
    _diagonal_view(out, offset, d1, d2)[...] = data
    return record(out, DiagEmbedBackward0, (input,), offset=offset, dim1=d1, dim2=d2)


@tensor_method()
def diag(input, diagonal=0):
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    arr = _diagonal_view(input._data, diagonal, 0, 1).copy()
    return record(arr, DiagonalBackward0, (input,), shape=input._data.shape, offset=diagonal, dim1=0, dim2=1)


@tensor_method()
def trace(input):
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    out = np.asarray(np.trace(data), dtype=data.dtype if data.dtype.kind == "f" else np.int64)
    return record(out, TraceBackward0, (input,), shape=data.shape)


# ---- copies -----------------------------------------------------------------------------------------------
@tensor_method()
def clone(input, *, memory_format=None):
    return record(input._data.copy(), CloneBackward0, (input,))


@tensor_method()
def contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else clone(self)


# ---- grids and blocks -------------------------------------------------------------------------------------
def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    k = len(tensors)
    sizes = [t._data.size for t in tensors]
    axes = list(range(k))
    if indexing == "xy" and k >= 2:
        axes[0], axes[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    shape = [0] * k
    for t, a in zip(tensors, axes):
        shape[a] = t._data.size
    out = []
    for t, a in zip(tensors, axes):
        pos = [1] * k
        pos[a] = t._data.size
        out.append(_expand(reshape(t, tuple(pos)), tuple(shape)))
    return tuple(out)


def block_diag(*tensors):
    mats = []
    for i, t in enumerate(tensors):
        n = t._data.ndim
        if n > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{n} dimensions")
        mats.append(t._data.reshape((1, 1) if n == 0 else (1, -1) if n == 1 else t._data.shape))
    dtype = tensors[0].dtype if tensors else dt.get_default_dtype()
    for t in tensors:
        dtype = dt.promote_types(dtype, t.dtype)
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dtype=dtype.np)
    blocks, r, c = [], 0, 0
    for t, m in zip(tensors, mats):
        idx = (slice(r, r + m.shape[0]), slice(c, c + m.shape[1]))
        out[idx] = m
        blocks.append((idx, t._data.shape))
        r, c = r + m.shape[0], c + m.shape[1]
    return record(out, BlockDiagBackward0, tuple(tensors), blocks=blocks)


def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)
