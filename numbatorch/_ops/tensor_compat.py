"""Tensor attributes kept for compatibility: ``is_sparse_csr``, ``to_sparse_coo``, ``const_data_ptr``, the legacy
``map2_`` and the removed ``volatile`` flag."""
import warnings

import numpy as np

from .._tensor import Tensor, tensor_method


def _is_sparse_csr(self):
    """False: numbatorch has no sparse CSR tensors."""
    return False


def _volatile(self):
    """False, with PyTorch's warning: ``volatile`` was replaced by ``torch.no_grad``."""
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
    return False


Tensor.is_sparse_csr = property(_is_sparse_csr)
Tensor.volatile = property(_volatile)


@tensor_method()
def to_sparse_coo(self):
    """This tensor in the sparse COO layout (same as ``to_sparse()``)."""
    return self.to_sparse()


@tensor_method()
def const_data_ptr(self):
    """The address of the first element (same as ``data_ptr()``; PyTorch's promise not to write through it)."""
    return self.data_ptr()


@tensor_method()
def map2_(self, x, y, callable):
    """Replace each element ``a`` by ``callable(a, b, c)``, ``b`` and ``c`` the matching elements of ``x`` and
    ``y`` (broadcast to this tensor's shape); returns self."""
    shape = self._data.shape
    bs = np.broadcast_to(x._data, shape).reshape(-1).tolist()
    cs = np.broadcast_to(y._data, shape).reshape(-1).tolist()
    values = [callable(a, b, c) for a, b, c in zip(self._data.reshape(-1).tolist(), bs, cs)]
    self._data[...] = np.array(values, dtype=self._data.dtype).reshape(shape)
    self._version[0] += 1
    return self
