"""Tensor's conversions: to Python numbers and lists, numpy arrays, other dtypes and devices, and ``detach``."""
import numpy as np

from . import _dtype as dt
from ._device import CPU, device as _device_cls, device_of, is_device_array, move, resolve


class TensorConversions:
    """Conversion methods of ``Tensor`` (a base class of it, holding no state of its own)."""

    __slots__ = ()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The data as a numpy array sharing memory; refuses a tensor that requires grad or lives on a device
        unless ``force`` (which copies a device tensor to the host)."""
        if force:
            return self._data if type(self._data) is np.ndarray else move(self._data, CPU)
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if type(self._data) is not np.ndarray and is_device_array(self._data):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy the "
                            "tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if type(self._data) is not np.ndarray and is_device_array(self._data):
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy the "
                            "tensor to host memory first.")
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def detach(self):
        """A tensor sharing the data but cut from the autograd graph."""
        t = self._make(self._data)
        t._version_counter = self._version_counter
        t._base = self
        return t

    def detach_(self):
        """Cuts this tensor from the autograd graph in place; returns self."""
        if self._base is not None and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def cpu(self, memory_format=None):
        """A copy in host memory (self when the data is there already)."""
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """A copy on CUDA device ``device`` (default: the current one); self when it is there already."""
        if device is None or (isinstance(device, int) and not isinstance(device, bool)):
            device = _device_cls("cuda", device)
        dev = resolve(device)
        if dev.type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        return self.to(dev)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The type name (``'torch.FloatTensor'`` ...) without ``dtype``; otherwise a copy cast to ``dtype``."""
        if dtype is None:
            name = dt.LEGACY_NAME[self.dtype]
            return name.replace("torch.", "torch.cuda.", 1) if self.is_cuda else name
        return self.to(dt.as_dtype(dtype))

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; returns self when nothing changes.

        A copy to another device is differentiable: the gradient goes back to this tensor's device.
        ``non_blocking`` and ``memory_format`` are accepted; copies are synchronous.
        """
        dtype = kwargs.get("dtype")
        dev = kwargs.get("device")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, dt.dtype):
                dtype = a
            elif isinstance(a, TensorConversions):  # a Tensor (every Tensor is one)
                dtype, dev = a.dtype, a.device
            elif isinstance(a, (str, _device_cls)) or (isinstance(a, int) and not isinstance(a, bool)):
                dev = a
        if dev is not None:
            dev = resolve(dev)
            if dev != device_of(self._data):
                from ._ops.cast import to_copy
                return to_copy(self, None if dtype is self.dtype else dtype, dev)
        if dtype is None or dtype is self.dtype:
            return self.clone() if copy else self
        from ._ops.cast import cast
        return cast(self, dtype)

    def float(self, memory_format=None):
        """A copy cast to ``float32`` (self if it already is)."""
        return self.to(dt.float32)

    def double(self, memory_format=None):
        """A copy cast to ``float64`` (self if it already is)."""
        return self.to(dt.float64)

    def half(self, memory_format=None):
        """A copy cast to ``float16`` (self if it already is)."""
        return self.to(dt.float16)

    def bfloat16(self, memory_format=None):
        """A copy cast to ``bfloat16`` (self if it already is)."""
        return self.to(dt.bfloat16)

    def cfloat(self, memory_format=None):
        """A copy cast to ``complex64`` (self if it already is)."""
        return self.to(dt.complex64)

    def cdouble(self, memory_format=None):
        """A copy cast to ``complex128`` (self if it already is)."""
        return self.to(dt.complex128)

    def long(self, memory_format=None):
        """A copy cast to ``int64`` (self if it already is)."""
        return self.to(dt.int64)

    def int(self, memory_format=None):
        """A copy cast to ``int32`` (self if it already is)."""
        return self.to(dt.int32)

    def short(self, memory_format=None):
        """A copy cast to ``int16`` (self if it already is)."""
        return self.to(dt.int16)

    def char(self, memory_format=None):
        """A copy cast to ``int8`` (self if it already is)."""
        return self.to(dt.int8)

    def byte(self, memory_format=None):
        """A copy cast to ``uint8`` (self if it already is)."""
        return self.to(dt.uint8)

    def bool(self, memory_format=None):
        """A copy cast to ``bool`` (self if it already is)."""
        return self.to(dt.bool_)

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype."""
        return self.to(other.dtype)
