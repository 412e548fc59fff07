"""Differentiable dtype conversion (``Tensor.to(dtype)``, ``.float()``, …)."""
from ..autograd.graph import Node
from ._util import record


class ToCopyBackward0(Node):
    __slots__ = ("src_dtype",)

    def backward(self, grad):
        return grad.astype(self.src_dtype, copy=False)


def cast(input, dtype):
    out = input._data.astype(dtype.np)
    if dtype.np.kind != "f":
        return record(out, ToCopyBackward0, ())
    return record(out, ToCopyBackward0, (input,), src_dtype=input._data.dtype)
