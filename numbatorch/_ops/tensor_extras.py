"""More Tensor methods: in-place view ops (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``), ``cumsum_``,
``fill_diagonal_``, ``sum_to_size``, ``resize_``, the ``*_scatter`` ops, bit shifts, ``apply_``/``map_`` and the
memory queries (``storage_offset``, ``pin_memory``, ``is_pinned``)."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from .._tensor_factories import _size_arg
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._util import apply_inplace, record
from .keyword_aliases import accept_aliases

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "bitwise_left_shift", "bitwise_right_shift"]


class InplaceViewBackward0(Node):
    """Gradient of an in-place view op: undo the axis permutation (if any), then restore the old shape."""

    __slots__ = ("old_shape", "perm")

    def backward(self, grad):
        if self.perm is not None:
            grad = np.transpose(grad, np.argsort(self.perm))
        return grad.reshape(self.old_shape)

    def backward_graph(self, grad):
        if self.perm is not None:
            grad = grad.permute(*np.argsort(self.perm).tolist())
        return grad.reshape(self.old_shape)


def _apply_view(self, layout):
    """Make ``self`` the view ``layout`` = (new shape, axis permutation or None) of itself, keeping its history."""
    if self._requires_grad and self.grad_fn is None and grad_mode.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    shape, perm = layout
    old_shape = self._data.shape
    data = self._data if perm is None else np.transpose(self._data, perm)
    # The node's input is a stand-in with self's old shape and history: the engine sizes gradients by it.
    before = Tensor._make(self._data, self.grad_fn, self._output_nr)
    before._requires_grad = self._requires_grad
    result = record(data.reshape(shape), InplaceViewBackward0, (before,), old_shape=old_shape, perm=perm)
    self._data = result._data
    if result.grad_fn is not None:
        self.grad_fn = result.grad_fn
        self._output_nr = 0
    self._version_counter[0] += 1
    return self


def _swap(self, dim0, dim1):
    perm = list(range(self.dim()))
    d0, d1 = normalize_dim(dim0, self.dim()), normalize_dim(dim1, self.dim())
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return tuple(self._data.shape[p] for p in perm), tuple(perm)


def _transpose_2d(self):
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
    return (self._data.shape[::-1], None) if self.dim() < 2 else _swap(self, 0, 1)


def _unsqueezed(self, dim):
    d = normalize_dim(dim, self.dim() + 1)
    shape = list(self._data.shape)
    shape.insert(d, 1)
    return tuple(shape), None


def _squeezed(self, dim=None):
    shape = self._data.shape
    if dim is None:
        return tuple(s for s in shape if s != 1), None
    dims = {normalize_dim(d, self.dim()) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)), None


@tensor_method()
def unsqueeze_(self, dim):
    """In-place ``unsqueeze``: ``self`` takes the new shape (its storage is unchanged)."""
    return _apply_view(self, _unsqueezed(self, dim))


@tensor_method()
def squeeze_(self, dim=None):
    """In-place ``squeeze``."""
    return _apply_view(self, _squeezed(self, dim))


@tensor_method()
def t_(self):
    """In-place ``t``."""
    return _apply_view(self, _transpose_2d(self))


@tensor_method()
def transpose_(self, dim0, dim1):
    """In-place ``transpose``."""
    return _apply_view(self, _swap(self, dim0, dim1))


@tensor_method()
def swapaxes_(self, axis0, axis1):
    """In-place ``swapaxes``."""
    return _apply_view(self, _swap(self, axis0, axis1))


@tensor_method()
def swapdims_(self, dim0, dim1):
    """In-place ``swapdims``."""
    return _apply_view(self, _swap(self, dim0, dim1))


@tensor_method()
def cumsum_(self, dim, *, dtype=None):
    """In-place ``cumsum``."""
    return apply_inplace(self, self.cumsum(dim, dtype=dtype))


@tensor_method()
def cumprod_(self, dim, *, dtype=None):
    """In-place ``cumprod``."""
    return apply_inplace(self, self.cumprod(dim, dtype=dtype))


@tensor_method()
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all indices equal) with ``fill_value``; for a tall matrix, ``wrap`` restarts it
    every ``ncols + 1`` rows."""
    x = self._data
    if x.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros_like(x, dtype=bool)
    if x.ndim == 2:
        rows, cols = x.shape
        step_rows = np.arange(rows if wrap else min(rows, cols), like=x)
        if wrap:
            step_rows = step_rows[step_rows % (cols + 1) < cols]
            mask[step_rows, step_rows % (cols + 1)] = True
        else:
            mask[step_rows, step_rows] = True
    else:
        idx = np.arange(x.shape[0], like=x)
        mask[(idx,) * x.ndim] = True
    return apply_inplace(self, self.masked_fill(Tensor._make(mask), fill_value))


@tensor_method()
def sum_to_size(self, *size):
    """Sum ``self`` down to ``size`` (which must broadcast to ``self``'s shape), as a gradient is reduced."""
    shape = _size_arg(size)
    if np.broadcast_shapes(shape, self._data.shape) != self._data.shape:
        raise RuntimeError(f"size {{{', '.join(str(s) for s in shape)}}} is not expandable to size "
                           f"{{{', '.join(str(s) for s in self._data.shape)}}}.")
    lead = self.dim() - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and self.shape[lead + i] != 1)
    out = self.sum(dims, keepdim=True) if dims else self
    return out.reshape(shape)


@tensor_method()
def storage_offset(self):
    """Offset, in elements, of this tensor's first element from the start of its base's memory."""
    base = self._data
    while isinstance(base.base, np.ndarray):
        base = base.base
    offset = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return offset // self._data.itemsize


@tensor_method()
def pin_memory(self, device=None):
    """Self: copies to 'cuda' are synchronous, so host memory needs no page-locking (PyTorch's error where no
    accelerator is usable)."""
    from .. import cuda
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if self.is_cuda:
        raise RuntimeError("cannot pin 'torch.cuda.FloatTensor' only dense CPU tensors can be pinned")
    return self


@tensor_method()
def is_pinned(self, device=None):
    """Always ``False``: there is no pinned memory without an accelerator."""
    return False


@tensor_method()
def resize_(self, *sizes, memory_format=None):
    """Give ``self`` the shape ``sizes``, keeping its leading elements (new ones are uninitialised)."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _size_arg(sizes)
    n = int(np.prod(shape))
    flat = self._data.reshape(-1)
    data = np.empty(n, dtype=self._data.dtype)
    data[:min(n, flat.size)] = flat[:n]
    self._data = data.reshape(shape)
    self._version_counter[0] += 1
    return self


@tensor_method()
def resize_as_(self, the_template, memory_format=None):
    """``resize_`` to ``the_template``'s shape."""
    return resize_(self, the_template.shape)


@tensor_method()
def apply_(self, callable):
    """Replace each element ``x`` by ``callable(x)`` (a Python loop: for small tensors)."""
    if self._requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors that do not require grad")
    flat = self._data.reshape(-1)
    values = np.array([callable(v) for v in flat.tolist()], dtype=self._data.dtype)
    self._data[...] = values.reshape(self._data.shape)
    self._version_counter[0] += 1
    return self


@tensor_method()
def map_(self, tensor, callable):
    """Replace each element ``x`` by ``callable(x, y)``, ``y`` the matching element of ``tensor`` (broadcast)."""
    other = np.broadcast_to(tensor._data, self._data.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(), other)]
    self._data[...] = np.array(values, dtype=self._data.dtype).reshape(self._data.shape)
    self._version_counter[0] += 1
    return self


# ---- *_scatter: a copy of input with src embedded (differentiable in both) ----------------------------
def _embed(input, src, index):
    """``input`` with ``input[index]`` replaced by ``src``: ``input * (1 - mask) + scattered src``."""
    mask = np.zeros_like(input._data, dtype=bool)
    mask[index] = True
    expected = mask[index].shape
    if tuple(src.shape) != expected:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(expected)}")
    return input.where(Tensor._make(~mask), _scatter_into(input, src, index))


def _scatter_into(input, src, index):
    """A tensor shaped like ``input`` holding ``src`` at ``index`` (zeros elsewhere), differentiable in ``src``."""
    flat_positions = np.arange(input._data.size, like=input._data).reshape(input._data.shape)[index].reshape(-1)
    from .._creation import zeros
    from .index_ops import index_add
    flat = index_add(zeros(input._data.size, dtype=input.dtype, device=input.device), 0, Tensor._make(flat_positions),
                     src.reshape(-1).to(input.dtype))
    return flat.reshape(input.shape)


@tensor_method()
def select_scatter(input, src, dim, index):
    """``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    d = normalize_dim(dim, input.dim())
    i = index + input.shape[d] if index < 0 else index
    return _embed(input, src, (slice(None),) * d + (i,))


@tensor_method()
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with ``input[start:end:step]`` along ``dim`` replaced by ``src``."""
    d = normalize_dim(dim, input.dim())
    return _embed(input, src, (slice(None),) * d + (slice(start, end, step),))


@tensor_method()
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    d1, d2 = normalize_dim(dim1, input.dim()), normalize_dim(dim2, input.dim())
    n1, n2 = input.shape[d1], input.shape[d2]
    length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
    like = input._data
    rows = np.arange(length, like=like) + max(-offset, 0)
    cols = np.arange(length, like=like) + max(offset, 0)
    # diagonal() puts the diagonal last: build the index with the two dims' positions broadcast on that axis.
    index = [slice(None)] * input.dim()
    others = [k for k in range(input.dim()) if k not in (d1, d2)]
    grids = np.meshgrid(*[np.arange(input.shape[k], like=like) for k in others], np.arange(length, like=like),
                        indexing="ij")
    for k, g in zip(others, grids[:-1]):
        index[k] = g
    index[d1], index[d2] = rows[grids[-1]], cols[grids[-1]]
    return _embed(input, src, tuple(index))


# ---- bit shifts -----------------------------------------------------------------------------------------
def _shift(name, fn):
    def op(input, other):
        like = input._data if isinstance(input, Tensor) else getattr(other, "_data", None)  # on the tensor's device
        a = input._data if isinstance(input, Tensor) else np.asarray(input, like=like)
        b = other._data if isinstance(other, Tensor) else np.asarray(other, like=like)
        if a.dtype.kind not in "iub" or b.dtype.kind not in "iub":
            kind = a.dtype if a.dtype.kind not in "iub" else b.dtype
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{dt.LEGACY_NAME[dt.from_numpy_dtype(kind)][6:-6]}'")
        result_type = dt.result_type(input, other).np
        shifted = fn(a.astype(result_type), b.astype(result_type))
        return Tensor._make(np.asarray(shifted, like=a if isinstance(input, Tensor) else b).astype(result_type))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer tensors."
    return op


bitwise_left_shift = tensor_method("bitwise_left_shift", "__lshift__")(_shift("bitwise_left_shift", np.left_shift))
bitwise_right_shift = tensor_method("bitwise_right_shift", "__rshift__")(_shift("bitwise_right_shift",
                                                                                 np.right_shift))


@tensor_method("__rlshift__")
def _rlshift(self, other):
    """``other << self``."""
    return bitwise_left_shift(other, self)


@tensor_method("__rrshift__")
def _rrshift(self, other):
    """``other >> self``."""
    return bitwise_right_shift(other, self)


@tensor_method("bitwise_left_shift_", "__ilshift__")
def _bitwise_left_shift_(self, other):
    """In-place ``bitwise_left_shift``; returns self."""
    return apply_inplace(self, bitwise_left_shift(self, other))


@tensor_method("bitwise_right_shift_", "__irshift__")
def _bitwise_right_shift_(self, other):
    """In-place ``bitwise_right_shift``; returns self."""
    return apply_inplace(self, bitwise_right_shift(self, other))


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran

