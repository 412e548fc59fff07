"""Fused ``beta * input + alpha * product`` ops: addmm, baddbmm, addbmm, addmv, addr (and in-place forms)."""
import numpy as np

from .._tensor import tensor_method
from ..autograd.graph import Node, operand
from ._util import record
from ..backends import kernel_family
from .products import (_SCALAR_NAME, _check_bmm, _check_supported, _matmul_graph_grads, _matmul_grads,
                       _write_out)
from ._util import inplace_variant

blas = kernel_family("blas")

__all__ = [
    "baddbmm", "addmm", "addmv", "addbmm", "addr",
]

class AddmmBackward0(Node):
    """Backward of ``beta * input + alpha * (a @ b)``; subclasses only differ by PyTorch's name."""

    __slots__ = ("a", "b", "alpha", "beta", "summed")

    def backward(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        if self.summed:  # addbmm: the same gradient reaches every batch entry
            g = np.broadcast_to(g, (self.a.shape[0],) + g.shape)
        ga, gb = _matmul_grads(g, self.a, self.b, self.inputs[1] is not None, self.inputs[2] is not None) \
            if self.inputs[1] is not None or self.inputs[2] is not None else (None, None)
        return gi, ga, gb

    def backward_graph(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        if self.summed:
            g = g.expand((self.a.shape[0],) + tuple(g.shape))
        ga, gb = _matmul_graph_grads(g, operand(self, 1, self.a), operand(self, 2, self.b),
                                     self.inputs[1] is not None, self.inputs[2] is not None)
        return gi, ga, gb


class BaddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddmvBackward0(AddmmBackward0):
    __slots__ = ()


class AddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddrBackward0(Node):
    __slots__ = ("a", "b", "alpha", "beta")

    def backward(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        ga = g @ self.b if self.inputs[1] is not None else None
        gb = self.a @ g if self.inputs[2] is not None else None
        return gi, ga, gb

    def backward_graph(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        ga = g @ operand(self, 2, self.b) if self.inputs[1] is not None else None
        gb = operand(self, 1, self.a) @ g if self.inputs[2] is not None else None
        return gi, ga, gb


def _add_product(input, t1, t2, prod, node_cls, beta, alpha, summed=False):
    """``beta * input + alpha * prod`` with ``input`` broadcast to the product's shape (never the reverse)."""
    x = input._data
    if x.dtype.kind in "iub" and (isinstance(beta, float) or isinstance(alpha, float)):
        which = "beta" if isinstance(beta, float) else "alpha"
        raise RuntimeError(f"For integral input tensors, argument {which} must not be a floating point number.")
    if x.shape != prod.shape:
        _check_expand(x.shape, prod.shape)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # PyTorch ignores input entirely (NaN and inf in it do not propagate)
        res = prod
    else:
        res = prod + (x if beta == 1 else x * beta)
    res = res.astype(prod.dtype, copy=False)
    extra = {} if node_cls is AddrBackward0 else {"summed": summed}
    return record(res, node_cls, (input, t1, t2), reads=((t1, 2), (t2, 1)), a=t1._data, b=t2._data, alpha=alpha,
                  beta=beta, **extra)


def _check_expand(shape, target):
    if len(shape) > len(target):
        raise RuntimeError(f"The expanded size of the tensor ({target[0] if target else 1}) must match the "
                           f"existing size ({shape[0]}) at non-singleton dimension 0.  Target sizes: "
                           f"{list(target)}.  Tensor sizes: {list(shape)}")
    off = len(target) - len(shape)
    for i in range(len(shape) - 1, -1, -1):
        if shape[i] != 1 and shape[i] != target[off + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[off + i]}) must match the existing size "
                               f"({shape[i]}) at non-singleton dimension {off + i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _check_add_dtypes(input, a, b):
    if input.dtype != a.dtype or a.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_SCALAR_NAME[input.dtype.name]} and "
                           f"{_SCALAR_NAME[b.dtype.name if input.dtype == a.dtype else a.dtype.name]}")


@tensor_method()
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    a, b = mat1._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    _check_add_dtypes(input._data, a, b)
    _check_supported(a)
    return _write_out(_add_product(input, mat1, mat2, blas.matmul(a, b), AddmmBackward0, beta, alpha), out)


@tensor_method()
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``, per batch."""
    a, b = batch1._data, batch2._data
    _check_bmm(a, b)
    _check_add_dtypes(input._data, a, b)
    return _write_out(_add_product(input, batch1, batch2, blas.matmul(a, b), BaddbmmBackward0, beta, alpha), out)


@tensor_method()
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum over the batch of bmm(batch1, batch2)``."""
    a, b = batch1._data, batch2._data
    _check_bmm(a, b)
    _check_add_dtypes(input._data, a, b)
    # sum_b a[b] @ b[b] is one GEMM of a laid out as (n, B*k) with b as (B*k, m)
    prod = blas.matmul(a.transpose(1, 0, 2).reshape(a.shape[1], -1), b.reshape(-1, b.shape[2]))
    return _write_out(_add_product(input, batch1, batch2, prod, AddbmmBackward0, beta, alpha, summed=True), out)


@tensor_method()
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    a, b = mat._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {a.ndim}, {b.ndim}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]})")
    if not input.dtype.np == a.dtype == b.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_SCALAR_NAME[input.dtype.name]}, {_SCALAR_NAME[a.dtype.name]}, and "
                           f"{_SCALAR_NAME[b.dtype.name]}")
    _check_supported(a)
    return _write_out(_add_product(input, mat, vec, blas.matmul(a, b), AddmvBackward0, beta, alpha), out)


@tensor_method()
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    a, b = vec1._data, vec2._data
    if a.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {b.ndim}-D")
    return _write_out(_add_product(input, vec1, vec2, np.multiply.outer(a, b), AddrBackward0, beta, alpha), out)


for _name, _fn in (("addmm_", addmm), ("baddbmm_", baddbmm), ("addbmm_", addbmm), ("addmv_", addmv),
                   ("addr_", addr)):
    inplace_variant(_name, _fn)
del _name, _fn
