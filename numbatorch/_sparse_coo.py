"""Sparse COO tensors: ``sparse_coo_tensor``, ``Tensor.to_sparse``, ``SparseCooTensor.to_dense`` and friends.

A ``SparseCooTensor`` keeps PyTorch's COO description (``indices`` (sparse_dim, nnz), ``values`` (nnz, *dense
dims), ``size``) and, as its array, the dense tensor those describe: every Tensor op (``s @ x``, ``x + s``,
``s.sum()``) therefore computes what PyTorch computes and returns a dense (strided) result, with gradients
flowing to the dense operands and to ``values``. Storage is dense, so memory grows with the full size: fine for
graphs of a few thousand nodes (the usual adjacency matrices), not for huge sparse matrices.
"""
import numpy as np

from . import _dtype as dt
from ._ops._util import record
from ._tensor import Tensor, tensor_method
from .autograd.graph import Node

__all__ = ["SparseCooTensor", "sparse_coo_tensor"]


class SparseCooValuesBackward0(Node):
    """Gradient of the dense array built from ``values``: each value gets the gradient at its position."""

    __slots__ = ("index",)

    def backward(self, grad):
        return grad[self.index]

    backward_graph = backward  # the same indexing on a Tensor


class ToDenseBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad

    backward_graph = backward


class CoalesceBackward0(Node):
    """Each summed duplicate value gets the gradient of the sum it went into."""

    __slots__ = ("inverse",)

    def backward(self, grad):
        return grad[self.inverse]

    backward_graph = backward  # the same indexing on a Tensor


class SparseCooTensor(Tensor):
    """A COO sparse tensor (``layout=numbatorch.sparse_coo``); see the module docstring for its storage."""

    __slots__ = ("_indices_t", "_values_t", "_is_coalesced")
    is_sparse = True

    def _indices(self):
        """The (sparse_dim, nnz) int64 indices, coalesced or not."""
        return self._indices_t

    def _values(self):
        """The (nnz, *dense dims) values, coalesced or not."""
        return self._values_t

    def indices(self):
        """The indices of a coalesced tensor."""
        self._require_coalesced("indices")
        return self._indices_t

    def values(self):
        """The values of a coalesced tensor."""
        self._require_coalesced("values")
        return self._values_t

    def _require_coalesced(self, what):
        if not self._is_coalesced:
            raise RuntimeError(f"Cannot get {what} on an uncoalesced tensor, please call .coalesce() first")

    def _nnz(self):
        return self._indices_t.shape[1]

    def sparse_dim(self):
        return self._indices_t.shape[0]

    def dense_dim(self):
        return self._data.ndim - self._indices_t.shape[0]

    def is_coalesced(self):
        return self._is_coalesced

    def coalesce(self):
        """Sorted, unique indices with the values of duplicates summed."""
        if self._is_coalesced:
            return self
        idx = self._indices_t._data
        flat = np.ravel_multi_index(tuple(idx), self._data.shape[:idx.shape[0]]) if idx.size else \
            np.zeros(0, np.int64)
        unique, inverse = np.unique(flat, return_inverse=True)
        values = self._values_t
        summed = np.zeros((len(unique),) + values._data.shape[1:], dtype=values._data.dtype)
        np.add.at(summed, inverse, values._data)
        new_values = record(summed, CoalesceBackward0, (values,), inverse=inverse)
        new_indices = np.stack(np.unravel_index(unique, self._data.shape[:idx.shape[0]])).astype(np.int64) \
            if idx.size else idx.copy()
        return _make_sparse(Tensor._make(new_indices.reshape(idx.shape[0], -1)), new_values, self._data.shape,
                            coalesced=True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        """The dense (strided) tensor, a copy; gradients flow back to this tensor."""
        out = record(self._data.copy(), ToDenseBackward0, (self,))
        return out if dtype is None else out.to(dtype)

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        return self

    def t(self):
        """The transpose of a 2-D sparse tensor (still sparse)."""
        if self._data.ndim != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return _make_sparse(Tensor._make(self._indices_t._data[::-1].copy()), self._values_t,
                            self._data.shape[::-1], coalesced=False)

    def __repr__(self, *, tensor_contents=None):
        indices = repr(self._indices_t).replace("\n", "\n" + " " * 15)
        values = repr(self._values_t).replace("\n", "\n" + " " * 7)
        extra = ""
        if self._data.dtype != dt.get_default_dtype().np:
            extra = f", dtype=numbatorch.{self.dtype.name}"
        grad = ", requires_grad=True" if self._requires_grad and self.grad_fn is None else ""
        grad_fn = f", grad_fn=<{self.grad_fn.name()}>" if self.grad_fn is not None else ""
        return (f"tensor(indices={indices},\n       values={values},\n       size={tuple(self._data.shape)}, "
                f"nnz={self._nnz()}{extra}, layout=numbatorch.sparse_coo{grad}{grad_fn})")

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild_sparse, (self._indices_t.detach(), self._values_t.detach(), tuple(self._data.shape),
                                  self._is_coalesced, self._requires_grad and self.grad_fn is None))

    def __deepcopy__(self, memo):
        import copy
        return _rebuild_sparse(copy.deepcopy(self._indices_t.detach(), memo),
                               copy.deepcopy(self._values_t.detach(), memo), tuple(self._data.shape),
                               self._is_coalesced, self._requires_grad and self.grad_fn is None)


def _make_sparse(indices, values, shape, coalesced, requires_grad=False):
    """The SparseCooTensor of ``indices``/``values``; its dense array keeps the gradient path to ``values``."""
    if values._data.shape[0] != indices._data.shape[1]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{indices._data.shape[1]}, nnz from values: {values._data.shape[0]}")
    index = tuple(indices._data)
    dense = np.zeros(tuple(shape), dtype=values._data.dtype)
    np.add.at(dense, index, values._data)
    node_tensor = record(dense, SparseCooValuesBackward0, (values,), index=index)
    t = Tensor._make_subclass(SparseCooTensor, dense)
    if node_tensor.grad_fn is not None:
        t.grad_fn = node_tensor.grad_fn
        t._requires_grad = True
    elif requires_grad:
        t.requires_grad_(True)
    t._indices_t = indices
    t._values_t = values
    t._is_coalesced = coalesced
    return t


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse tensor in coordinate (COO) format.

    A sparse COO tensor with ``values`` at ``indices`` (sparse_dim, nnz); ``size`` defaults to the smallest that
    holds every index. Duplicate indices are summed when the tensor is used (or coalesced)."""
    from ._creation import _check_device, tensor
    _check_device(device)
    indices = indices if isinstance(indices, Tensor) else tensor(indices)
    values = values if isinstance(values, Tensor) else tensor(values)
    if dtype is not None:
        values = values.to(dt.as_dtype(dtype))
    idx = indices._data
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    if idx.dtype != np.int64:
        if idx.dtype.kind not in "iu":
            raise RuntimeError("indices must be an int64 tensor")
        indices = Tensor._make(idx.astype(np.int64))
        idx = indices._data
    dense_shape = tuple(values._data.shape[1:])
    if size is None:
        size = tuple(int(m) + 1 for m in idx.max(axis=1)) if idx.shape[1] else (0,) * idx.shape[0]
        size = size + dense_shape
    size = tuple(int(s) for s in size)
    sparse_dims = idx.shape[0]
    if len(size) != sparse_dims + len(dense_shape):
        raise RuntimeError(f"number of dimensions must be sparse_dim ({sparse_dims}) + dense_dim "
                           f"({len(dense_shape)}), but got {len(size)}")
    for d in range(sparse_dims):
        if idx.shape[1] and (idx[d].max() >= size[d] or idx[d].min() < 0):
            bad = idx[d].max() if idx[d].max() >= size[d] else idx[d].min()
            raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {size[d]} but found index "
                               f"{bad}")
    return _make_sparse(indices, values, size, bool(is_coalesced), requires_grad)


@tensor_method("to_sparse")
def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """The sparse COO form of a dense tensor: its nonzero entries (over the first ``sparse_dim`` dims)."""
    from ._layout import sparse_coo
    if layout is not None and layout is not sparse_coo:
        raise NotImplementedError(f"to_sparse: layout {layout} is not supported by numbatorch (only sparse_coo)")
    n_sparse = self._data.ndim if sparse_dim is None else sparse_dim
    data = self._data
    reduced = data if n_sparse == data.ndim else np.any(data != 0, axis=tuple(range(n_sparse, data.ndim)))
    index = np.nonzero(reduced)
    values = self[tuple(Tensor._make(i) for i in index)] if self._requires_grad else Tensor._make(data[index])
    indices = Tensor._make(np.stack(index).astype(np.int64).reshape(n_sparse, -1))
    return _make_sparse(indices, values, data.shape, coalesced=True)


@tensor_method("to_dense")
def to_dense(self, dtype=None, *, masked_grad=None):
    """A dense tensor is its own dense form."""
    return self if dtype is None else self.to(dtype)


def _rebuild_sparse(indices, values, shape, coalesced, requires_grad):
    """Unpickling and deepcopy: the same COO description (a leaf)."""
    return _make_sparse(indices, values, shape, coalesced, requires_grad)
