"""Matrix products: matmul/mm/bmm/mv, chain_matmul (dot/vdot/outer: ``vector_products``).

All products go to BLAS through ``backends.cpu.blas.matmul`` (BLAS's thread count chosen by size) or
``np.einsum``; the backward of each product is again a product (the gradient of ``a @ b`` is ``g @ b.T``
and ``a.T @ g``), so no Numba kernel is needed here.
PyTorch never promotes dtypes in matrix products, so mismatched dtypes raise its errors instead.
"""
import functools

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from .._device import same_device
from ._util import record, write_out
from ..backends import kernel_family

blas = kernel_family("blas")

__all__ = [
    "matmul", "mm", "bmm", "mv", "chain_matmul",
]

# The C type names PyTorch prints in "expected m1 and m2 to have the same dtype" errors.
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
           "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
           "complex64": "c10::complex<float>", "complex128": "c10::complex<double>", "bfloat16": "c10::BFloat16"}


# The scalar type names of "expected scalar type Float but found Double".
_SCALAR_NAME = {d.name: d._scalar_name for d in dt.ALL_DTYPES}


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _matmul_grads(grad, a, b, need_a, need_b):
    """Gradients of ``np.matmul(a, b)`` (1-D operands included), possibly broadcast to batch dims."""
    if a.ndim == 2 and b.ndim == 2:  # the common case first; ``.T`` costs a sixth of np.swapaxes
        if need_a and need_b:  # independent products: side by side where the BLAS policy finds that pays
            return blas.matmul_pair(grad, b.T, a.T, grad)
        return (blas.matmul(grad, b.T) if need_a else None), (blas.matmul(a.T, grad) if need_b else None)
    if a.ndim == 1 and b.ndim == 1:
        return (grad * b if need_a else None), (grad * a if need_b else None)
    if a.ndim == 1:  # (k,) @ (..., k, m): treat a as (1, k)
        g = grad[..., None, :]
        ga = blas.matmul(g, _mT(b))[..., 0, :] if need_a else None
        gb = a[:, None] * g if need_b else None
        return ga, gb
    if b.ndim == 1:  # (..., n, k) @ (k,): treat b as (k, 1)
        g = grad[..., None]
        ga = g * b if need_a else None
        gb = None
        if need_b:
            gb = blas.matmul(a.reshape(-1, a.shape[-1]).T, grad.reshape(-1)) if a.ndim > 2 else \
                blas.matmul(_mT(a), g)[..., 0]
        return ga, gb
    if b.ndim == 2 and a.ndim > 2:  # batched input times one matrix: fold the batch into one GEMM
        k, m = b.shape
        ga = blas.matmul(grad.reshape(-1, m), b.T).reshape(a.shape) if need_a else None
        gb = blas.matmul(a.reshape(-1, k).T, grad.reshape(-1, m)) if need_b else None
        return ga, gb
    ga = blas.matmul(grad, _mT(b)) if need_a else None
    gb = blas.matmul(_mT(a), grad) if need_b else None
    return ga, gb


def _matmul_graph_grads(grad, a, b, need_a, need_b):
    """``_matmul_grads`` on Tensors with differentiable ops; the engine sums broadcast batch dims."""
    if a.dim() == 1 and b.dim() == 1:
        return (grad * b if need_a else None), (grad * a if need_b else None)
    if a.dim() == 1:
        g = grad.unsqueeze(-2)
        ga = (g @ b.transpose(-2, -1)).squeeze(-2) if need_a else None
        gb = a.unsqueeze(-1) * g if need_b else None
        return ga, gb
    if b.dim() == 1:
        g = grad.unsqueeze(-1)
        ga = g * b if need_a else None
        gb = (a.transpose(-2, -1) @ g).squeeze(-1) if need_b else None
        return ga, gb
    ga = grad @ b.transpose(-2, -1) if need_a else None
    gb = a.transpose(-2, -1) @ grad if need_b else None
    return ga, gb


class MmBackward0(Node):
    """Backward of every plain product; subclasses only carry PyTorch's grad_fn name for each case."""

    __slots__ = ("a", "b")

    def backward(self, grad):
        return _matmul_grads(grad, self.a, self.b, self.inputs[0] is not None, self.inputs[1] is not None)

    def backward_graph(self, grad):
        return _matmul_graph_grads(grad, operand(self, 0, self.a), operand(self, 1, self.b),
                                   self.inputs[0] is not None, self.inputs[1] is not None)


class DotBackward0(MmBackward0):
    __slots__ = ()


class MvBackward0(MmBackward0):
    __slots__ = ()


class BmmBackward0(MmBackward0):
    __slots__ = ()


class SqueezeBackward4(MmBackward0):  # PyTorch's name for 1-D @ 2-D (computed as unsqueeze, mm, squeeze)
    __slots__ = ()


class UnsafeViewBackward0(MmBackward0):  # PyTorch's name for batched matmul (bmm on folded views)
    __slots__ = ()


class CloneBackward0(MmBackward0):  # PyTorch's name for 2-D @ batched (computed transposed, then cloned)
    __slots__ = ()


def _product(a, b, out, node_cls, input, other):
    """Record ``out = a @ b``, version-tracking only the operands backward will read.

    Both arrays are kept (references, no copies: backward needs their shapes even when it reads one).
    """
    return record(out, node_cls, (input, other), reads=((input, 1), (other, 0)), a=a, b=b)


def _operand_arrays(x, y):
    """The arrays of two product operands, which must be on one device (PyTorch's error otherwise)."""
    a, b = x._data, y._data
    return (a, b) if type(a) is type(b) else same_device(a, b)


def _same_dtype_2d(x, y):
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[x.dtype.name]} != "
                           f"{_C_NAME[y.dtype.name]}")


def _check_dot(x, y, name="dot"):
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.shape[0] != y.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
                           f"have the same number of elements, but got {x.shape[0]} and {y.shape[0]} elements "
                           "respectively")
    if x.dtype != y.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{_SCALAR_NAME[x.dtype.name]} and {_SCALAR_NAME[y.dtype.name]}")


def _check_mm(x, y):
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and "
                           f"{y.shape[0]}x{y.shape[1]})")
    _same_dtype_2d(x, y)
    _check_supported(x)


def _check_mv(x, v):
    if x.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), "
                           f"vec ({v.shape[0]})")
    if x.dtype != v.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[x.dtype.name]} != "
                           f"{_C_NAME[v.dtype.name]}")
    _check_supported(x)


def _check_supported(x):
    if x.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_batched(x, y, left_requires_grad):
    """PyTorch's checks of a broadcast batched matmul (x, y at least 1-D, one of them at least 3-D).

    The messages name the product PyTorch actually runs: an N-D operand times a 1-D/2-D one is folded into
    one matrix product; a 1-D/2-D left operand is folded (transposed) only when it requires grad, else the
    product is a bmm on expanded operands.
    """
    xb, yb = x.shape[:-2], y.shape[:-2]
    if x.ndim <= 2 and not left_requires_grad:
        xb = ()
    elif x.ndim == 1 or y.ndim == 1:  # folded into a matrix-vector product
        if y.ndim == 1:
            if x.shape[-1] != y.shape[0]:
                rows = x.size // x.shape[-1] if x.shape[-1] else 0
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), "
                                   f"vec ({y.shape[0]})")
        elif x.shape[0] != y.shape[-2]:
            rows = y.size // y.shape[-2] if y.shape[-2] else 0
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{y.shape[-2]}), vec ({x.shape[0]})")
        _same_dtype_2d(x, y)
        return
    elif y.ndim == 2:  # folded: (batch*n, k) @ (k, m)
        if x.shape[-1] != y.shape[0]:
            rows = x.size // x.shape[-1] if x.shape[-1] else 0
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                               f"{y.shape[0]}x{y.shape[1]})")
        _same_dtype_2d(x, y)
        return
    elif x.ndim == 2:  # computed as (y^T folded) @ x^T
        if x.shape[-1] != y.shape[-2]:
            rows = y.size // y.shape[-2] if y.shape[-2] else 0
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{y.shape[-2]} and "
                               f"{x.shape[1]}x{x.shape[0]})")
        _same_dtype_2d(x, y)
        return
    try:
        batch = np.broadcast_shapes(xb, yb)
    except ValueError:
        _raise_broadcast(xb, yb)
    if x.shape[-1] != y.shape[-2]:
        nb = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {x.shape[-1]}] "
                           f"but got: [{nb}, {y.shape[-2]}].")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAME[x.dtype.name]} but found "
                           f"{_SCALAR_NAME[y.dtype.name]}")
    _check_supported(x)


def _raise_broadcast(s1, s2):
    n = max(len(s1), len(s2))
    p1 = (1,) * (n - len(s1)) + tuple(s1)
    p2 = (1,) * (n - len(s2)) + tuple(s2)
    for i in range(n - 1, -1, -1):
        if p1[i] != p2[i] and p1[i] != 1 and p2[i] != 1:
            raise RuntimeError(f"The size of tensor a ({p1[i]}) must match the size of tensor b ({p2[i]}) at "
                               f"non-singleton dimension {i}")


@tensor_method()
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting rules, including the 1-D cases."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
                        if isinstance(input, Tensor) else
                        f"matmul(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    a, b = _operand_arrays(input, other)
    na, nb = a.ndim, b.ndim
    if na == 2 and nb == 2:
        _check_mm(a, b)
        res = _product(a, b, blas.matmul(a, b), MmBackward0, input, other)
    elif na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    elif na == 1 and nb == 1:
        _check_dot(a, b)
        res = _product(a, b, np.asarray(np.dot(a, b), like=a), DotBackward0, input, other)
    elif na == 2 and nb == 1:
        _check_mv(a, b)
        res = _product(a, b, blas.matmul(a, b), MvBackward0, input, other)
    elif na == 1 and nb == 2:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        _same_dtype_2d(a, b)
        _check_supported(a)
        res = _product(a, b, blas.matmul(a, b), SqueezeBackward4, input, other)
    else:
        _check_batched(a, b, input._requires_grad)
        _check_supported(a)
        if nb == 2:  # one GEMM over the folded batch instead of a loop of small ones
            prod = blas.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
        else:
            prod = blas.matmul(a, b)
        node_cls = CloneBackward0 if na == 2 and input._requires_grad else UnsafeViewBackward0
        res = _product(a, b, prod, node_cls, input, other)
    return _write_out(res, out)


@tensor_method("__matmul__")
def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


@tensor_method("__rmatmul__")
def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


@tensor_method()
def mm(input, mat2, *, out=None):
    """Matrix product of an ``(n, m)`` and an ``(m, p)`` matrix."""
    a, b = _operand_arrays(input, mat2)
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b)
    return _write_out(_product(a, b, blas.matmul(a, b), MmBackward0, input, mat2), out)


def _check_bmm(a, b, first="batch1", second="batch2"):
    if a.ndim != 3:
        raise RuntimeError(f"{first} must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"{second} must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAME[a.dtype.name]} but found "
                           f"{_SCALAR_NAME[b.dtype.name]}")
    _check_supported(a)


@tensor_method()
def bmm(input, mat2, *, out=None):
    """Batched matrix product of ``(b, n, m)`` and ``(b, m, p)`` tensors."""
    a, b = _operand_arrays(input, mat2)
    _check_bmm(a, b)
    return _write_out(_product(a, b, blas.matmul(a, b), BmmBackward0, input, mat2), out)


@tensor_method()
def mv(input, vec, *, out=None):
    """Product of an ``(n, m)`` matrix and an ``(m,)`` vector."""
    a, b = _operand_arrays(input, vec)
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(a, b)
    return _write_out(_product(a, b, blas.matmul(a, b), MvBackward0, input, vec), out)


def chain_matmul(*matrices, out=None):
    """Deprecated product of several matrices (``linalg.multi_dot`` in new PyTorch)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    return _write_out(functools.reduce(mm, matrices), out)


_write_out = write_out  # contractions, addmm_ops and vector_products import it from here
