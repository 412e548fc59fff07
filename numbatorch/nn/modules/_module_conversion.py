"""``Module``'s conversions: ``to``, ``cpu``/``cuda``, the dtype casts, all through ``_apply``."""
from ... import _dtype as dt
from ..._creation import empty_like
from ..._device import device as _device_cls
from ..._tensor import Tensor
from ...autograd import grad_mode


class _Conversions:
    """The device and dtype conversions of ``Module`` (one of its bases): they convert its tensors in place."""

    def _apply(self, fn, recurse=True):
        """Convert every parameter (keeping the Parameter object), its grad and every buffer with ``fn``."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        with grad_mode.no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                new = fn(param)
                if new._data is not param._data:
                    param._data = new._data
                    param._version_counter[0] += 1
                if param._grad is not None:
                    new_grad = fn(param._grad)
                    if new_grad._data is not param._grad._data:
                        param._grad._data = new_grad._data
            for key, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Moves and/or casts the parameters and buffers in place; returns self.

        ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``, ``non_blocking=``: only floating
        tensors change dtype. Parameters stay the same objects, so optimizers built before keep working.
        """
        dtype = kwargs.get("dtype")
        dev = kwargs.get("device")
        non_blocking = kwargs.get("non_blocking", False)
        for a in args:
            if isinstance(a, dt.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, bool):
                non_blocking = a
            elif isinstance(a, (str, _device_cls, int)):
                dev = a
            elif a is not None:
                raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
        if dtype is not None:
            dtype = dt.as_dtype(dtype)
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                f"dtype={dtype}")
        if dev is not None:
            # parsed here, so a misspelt device raises even for a module without tensors (as in PyTorch)
            dev = _device_cls(f"cuda:{dev}" if isinstance(dev, int) else dev)

        def convert(t):
            options = {"non_blocking": non_blocking}
            if dev is not None:
                options["device"] = dev
            if dtype is not None and (t.is_floating_point() or t.is_complex()):
                options["dtype"] = dtype
            return t.to(**options)

        return self._apply(convert)

    def to_empty(self, *, device, recurse=True):
        """Moves parameters and buffers to ``device`` without copying their values (uninitialised); returns self."""
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def cpu(self):
        """Moves every parameter and buffer to the CPU; returns self."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        """Moves every parameter and buffer to CUDA device ``device`` (default: the current one); returns self."""
        return self._apply(lambda t: t.cuda(device))

    def share_memory(self):
        """Move every parameter, gradient and buffer into shared memory (see ``Tensor.share_memory_``)."""
        return self._apply(lambda t: t.share_memory_())

    def type(self, dst_type):
        """Casts every parameter and buffer to ``dst_type``; returns self."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Casts floating-point parameters and buffers to ``float32``; returns self."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Casts floating-point parameters and buffers to ``float64``; returns self."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Casts floating-point parameters and buffers to ``float16``; returns self."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Casts floating-point parameters and buffers to ``bfloat16``; returns self."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)
