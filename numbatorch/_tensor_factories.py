"""Tensor's ``new_*`` methods: new tensors with this tensor's dtype and device unless told otherwise."""
import numpy as np

from ._device import device_of, move, resolve
from ._size import Size


class TensorFactories:
    """``new_*`` methods of ``Tensor`` (a base class of it, holding no state of its own)."""

    __slots__ = ()

    def _new(self, arr, dtype, requires_grad, device=None):
        arr = arr.astype((dtype or self.dtype).np, copy=False)
        if device is not None or type(self._data) is not np.ndarray:  # new_* default to this tensor's device
            arr = move(arr, device_of(self._data) if device is None else resolve(device))
        t = self._make(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        """A tensor of zeros of ``size``, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(np.zeros(_size_arg(size)), dtype, requires_grad, device)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        """A tensor of ones of ``size``, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(np.ones(_size_arg(size)), dtype, requires_grad, device)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        """An uninitialised tensor of ``size``, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(np.empty(_size_arg(size)), dtype, requires_grad, device)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kwargs):
        """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype unless ``dtype`` is given."""
        return self._new(np.full(_size_arg((size,)), fill_value), dtype, requires_grad, device)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor copying ``data``, with this tensor's dtype unless ``dtype`` is given."""
        arr = np.array(data.numpy(force=True) if isinstance(data, TensorFactories) else data)
        return self._new(arr, dtype, requires_grad, device)


def _size_arg(size):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` like PyTorch's factories."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    return tuple(int(s) for s in size)
