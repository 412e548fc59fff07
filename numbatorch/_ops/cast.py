"""Differentiable dtype and device conversion (``Tensor.to(dtype)``, ``.float()``, ``.to('cuda')``, …)."""
import numpy as np

from .. import _dtype as dt
from .._device import CPU, device_of, move
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, record


class ToCopyBackward0(Node):
    """The gradient of a copy to another dtype and/or device: cast back, on the source's device."""

    __slots__ = ("src_dtype", "src_device")

    def backward(self, grad):
        if grad.dtype.kind == "c" and self.src_dtype.kind != "c":
            grad = grad.real  # a real source of a complex copy gets the real part, as in PyTorch
        return move(grad.astype(self.src_dtype, copy=False), self.src_device)

    def backward_graph(self, grad):
        return to_copy(grad, dt.as_dtype(self.src_dtype), self.src_device)


def cast(input, dtype):
    return to_copy(input, dtype, None)


def to_copy(input, dtype, device):
    """``input`` cast to ``dtype`` (None: kept) and moved to ``device`` (None: kept), a new tensor."""
    src = input._data
    out = src if dtype is None else src.astype(dt.conversion_dtype(dtype)).astype(dtype.np, copy=False)
    if device is not None:
        out = move(out, device)
    if out.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        return record(out, ToCopyBackward0, ())
    src_device = CPU if type(src) is np.ndarray else device_of(src)
    return record(out, ToCopyBackward0, (input,), src_dtype=src.dtype, src_device=src_device)


class CopyBackwards(Node):
    """``self.copy_(src)``: the gradient goes to ``src`` (summed over broadcast dims, cast to its dtype)."""

    __slots__ = ()

    def backward(self, grad):
        return grad

    def backward_graph(self, grad):
        return grad


@tensor_method()
def copy_(self, src, non_blocking=False):
    """Overwrite ``self`` with ``src`` (broadcast and cast to ``self``'s dtype, copied from another device when it
    lives elsewhere), keeping the graph to ``src``."""
    if isinstance(src, Tensor) and type(src._data) is not type(self._data):
        src = src.to(device_of(self._data))  # differentiable: the gradient goes back to src's device
    data = src._data if isinstance(src, Tensor) else np.asarray(src, like=self._data)
    try:
        value = np.broadcast_to(data, self._data.shape).astype(self._data.dtype, copy=False)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match "
                           f"the size of tensor b ({data.shape[-1] if data.ndim else 1})") from None
    if not isinstance(src, Tensor) or self._data.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        return apply_inplace(self, Tensor._make(value))
    return apply_inplace(self, record(value, CopyBackwards, (src,)))
