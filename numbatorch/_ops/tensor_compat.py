"""Tensor attributes kept for compatibility: ``is_sparse_csr``, ``to_sparse_coo``, ``const_data_ptr``,
``dim_order``, ``set_``, ``as_subclass``, ``module_load``, ``register_post_accumulate_grad_hook``, the legacy
``map2_``, the deprecated ``resize``/``resize_as`` and the removed ``volatile`` flag."""
import warnings

import numpy as np

from .._alias_import import MissingFeatureError
from .._tensor import Tensor, tensor_method
from ..autograd import grad_mode, post_accumulate_hooks


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
    self._version_counter[0] += 1
    return self


@tensor_method()
def dim_order(self, *, ambiguity_check=False):
    """The dimensions from outermost to innermost in memory (by decreasing stride; equal strides in order).

    With ``ambiguity_check=True``, a layout with equal strides (so several orders) raises RuntimeError."""
    strides = self.stride()
    if ambiguity_check is True and len(set(strides)) != len(strides):
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact one of the given "
                           "memory formats.")
    if ambiguity_check not in (False, True):
        raise MissingFeatureError("numbatorch does not implement torch.Tensor.dim_order with a list of memory "
                                  "formats yet")
    return tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))


def _resized(self, sizes, method):
    warnings.warn(f"non-inplace {method} is deprecated", UserWarning, stacklevel=3)
    count = int(np.prod(sizes))
    if count != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({count} elements in total), but the "
                           f"given tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           f"autograd's resize can only change the shape of a given tensor, while preserving the "
                           f"number of elements. ")
    return self.reshape(sizes)


@tensor_method()
def resize(self, *sizes):
    """Deprecated: this tensor reshaped to ``sizes`` (same number of elements), with PyTorch's warning."""
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    return _resized(self, sizes, "resize")


@tensor_method()
def resize_as(self, tensor):
    """Deprecated: this tensor reshaped to ``tensor``'s shape (same number of elements), with PyTorch's warning."""
    return _resized(self, tuple(tensor.shape), "resize_as")


@tensor_method()
def set_(self, source=None):
    """Make this tensor share ``source``'s data (shape and dtype included), or become empty with no argument."""
    if self.requires_grad and self.grad_fn is None and grad_mode.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    self._base = self._view_base_fn = None  # no longer a view of what it viewed
    if source is None:
        self._data = np.empty((0,), dtype=self._data.dtype)
    elif isinstance(source, Tensor):
        self._data = source._data
    else:
        raise MissingFeatureError("numbatorch does not implement torch.Tensor.set_ from a storage: a numbatorch "
                                  "tensor's memory is a numpy array (set_ takes a Tensor)")
    self._version_counter[0] += 1
    return self


@tensor_method()
def as_subclass(self, cls):
    """This tensor as an instance of the Tensor subclass ``cls``: same data, gradients flowing back to self."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not possible. "
                        "Make sure your class inherits from Tensor.")
    alias = self.view_as(self)
    result = object.__new__(cls)
    for slot in Tensor.__slots__:
        if slot != "__weakref__" and hasattr(alias, slot):
            setattr(result, slot, getattr(alias, slot))
    return result


@tensor_method()
def module_load(self, other, assign=False):
    """What ``load_state_dict`` (under ``no_grad``) puts in place of this tensor for the state-dict value ``other``.

    A new tensor: ``other.detach()`` with ``assign``, else this tensor's values overwritten by ``other``'s, detached."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


@tensor_method()
def register_post_accumulate_grad_hook(self, hook):
    """Call ``hook(self)`` each time backward has accumulated this leaf's ``.grad``; returns a removable handle."""
    return post_accumulate_hooks.register(self, hook)
