"""Products of vectors: dot, vdot, outer (``ger``). One node each; the gradients are again products."""
import numpy as np

from .. import _dtype as dt
from .._tensor import tensor_method
from ..autograd.graph import Node, operand
from .products import DotBackward0, MmBackward0, _check_dot, _operand_arrays, _product, _write_out

__all__ = ["dot", "vdot", "outer", "ger"]


class VdotBackward0(MmBackward0):
    __slots__ = ()


@tensor_method()
def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors of the same size."""
    a, b = _operand_arrays(input, tensor)
    _check_dot(a, b)
    return _write_out(_product(a, b, np.asarray(np.dot(a, b), like=a), DotBackward0, input, tensor), out)


@tensor_method()
def vdot(input, other, *, out=None):
    """Dot product conjugating the first argument (for real tensors the same as ``dot``)."""
    a, b = _operand_arrays(input, other)
    _check_dot(a, b, "vdot")
    if a.dtype.kind == "c":
        return _write_out(dot(input.conj(), other), out)
    return _write_out(_product(a, b, np.asarray(np.dot(a, b), like=a), VdotBackward0, input, other), out)


class OuterBackward(Node):
    """``outer`` is ``a[:, None] * b[None, :]`` in PyTorch, hence its grad_fn name."""

    __slots__ = ("a", "b")

    def name(self):
        return "MulBackward0"

    def backward(self, grad):
        ga = grad @ self.b if self.inputs[0] is not None else None
        gb = self.a @ grad if self.inputs[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        ga = grad @ operand(self, 1, self.b) if self.inputs[0] is not None else None
        gb = operand(self, 0, self.a) @ grad if self.inputs[1] is not None else None
        return ga, gb


@tensor_method("outer", "ger")
def outer(input, vec2, *, out=None):
    """Outer product of two 1-D tensors; ``ger`` is an alias."""
    a, b = _operand_arrays(input, vec2)
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    res_dtype = dt.promote_types(dt._BY_NP[a.dtype], dt._BY_NP[b.dtype]).np
    a, b = a.astype(res_dtype, copy=False), b.astype(res_dtype, copy=False)
    return _write_out(_product(a, b, np.multiply.outer(a, b), OuterBackward, input, vec2), out)


ger = outer
