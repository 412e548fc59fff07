"""Differentiable dtype conversion (``Tensor.to(dtype)``, ``.float()``, …)."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, record


class ToCopyBackward0(Node):
    __slots__ = ("src_dtype",)

    def backward(self, grad):
        if grad.dtype.kind == "c" and self.src_dtype.kind != "c":
            grad = grad.real  # a real source of a complex copy gets the real part, as in PyTorch
        return grad.astype(self.src_dtype, copy=False)

    def backward_graph(self, grad):
        return cast(grad, dt.as_dtype(self.src_dtype))


def cast(input, dtype):
    out = input._data.astype(dtype.np)
    if dtype.np.kind not in dt.DIFFERENTIABLE_KINDS:
        return record(out, ToCopyBackward0, ())
    return record(out, ToCopyBackward0, (input,), src_dtype=input._data.dtype)


class CopyBackwards(Node):
    """``self.copy_(src)``: the gradient goes to ``src`` (summed over broadcast dims, cast to its dtype)."""

    __slots__ = ()

    def backward(self, grad):
        return grad

    def backward_graph(self, grad):
        return grad


@tensor_method()
def copy_(self, src, non_blocking=False):
    """Overwrite ``self`` with ``src`` (broadcast and cast to ``self``'s dtype), keeping the graph to ``src``."""
    data = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        value = np.broadcast_to(data, self._data.shape).astype(self._data.dtype, copy=False)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must match "
                           f"the size of tensor b ({data.shape[-1] if data.ndim else 1})") from None
    if not isinstance(src, Tensor) or self._data.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        return apply_inplace(self, Tensor._make(value))
    return apply_inplace(self, record(value, CopyBackwards, (src,)))
