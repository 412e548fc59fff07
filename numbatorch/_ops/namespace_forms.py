"""``torch.*`` function forms of Tensor methods and deprecated aliases: ``detach``, ``fill``,
``split_with_sizes``, ``unsafe_chunk``, ``constant_pad_nd``, ``renorm``, ``nuclear_norm``, ``triangular_solve``...
"""
import warnings

import numpy as np

from .. import return_types
from .._tensor import Tensor, normalize_dim, tensor_method
from ..autograd.graph import Node
from ._util import record
from .keyword_aliases import accept_aliases

__all__ = ["detach", "detach_", "fill", "is_inference", "get_device", "split_with_sizes", "unsafe_chunk",
           "unsafe_split", "unsafe_split_with_sizes", "constant_pad_nd", "renorm", "nuclear_norm", "frobenius_norm",
           "triangular_solve", "adjoint", "i0"]


def detach(input):
    """``input.detach()``."""
    return input.detach()


def detach_(input):
    """``input.detach_()``."""
    return input.detach_()


class FillBackward1(Node):
    """The filled tensor does not depend on ``input``'s values; a tensor ``value`` gets the summed gradient."""

    __slots__ = ()

    def backward(self, grad):
        return np.zeros_like(grad), grad.sum()

    def backward_graph(self, grad):
        return grad * 0, grad.sum()


def fill(input, value):
    """A new tensor like ``input`` filled with ``value`` (a number or a 0-d tensor, which gets the gradient)."""
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor with {value.dim()} "
                           "dimensions.")
    scalar = value._data if isinstance(value, Tensor) else value
    out = np.full(input._data.shape, scalar, dtype=input._data.dtype)
    return record(out, FillBackward1, (input, value if isinstance(value, Tensor) else None))


@tensor_method()
def is_inference(input):
    """False: numbatorch has no inference tensors (``inference_mode`` only turns autograd off)."""
    return False


def get_device(input):
    """The CUDA device index of a 'cuda' tensor; -1 for a CPU tensor."""
    return input.get_device()


@tensor_method()
def split_with_sizes(input, split_sizes, dim=0):
    """``split`` into pieces of the given sizes, which must add up to the size of ``dim``."""
    total = input.shape[normalize_dim(dim, input.dim())]
    if sum(split_sizes) != total:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {total} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={list(split_sizes)}")
    return input.split(list(split_sizes), dim)


@tensor_method()
def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` (numbatorch's pieces are never unsafe to modify)."""
    return input.chunk(chunks, dim)


@tensor_method()
def unsafe_split(input, split_size, dim=0):
    """``split`` (numbatorch's pieces are never unsafe to modify)."""
    return input.split(split_size, dim)


@tensor_method()
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """``split_with_sizes``."""
    return split_with_sizes(input, split_sizes, dim)


def constant_pad_nd(input, pad, value=0):
    """``F.pad(input, pad, 'constant', value)``."""
    from ..nn.functional import pad as _pad
    return _pad(input, list(pad), "constant", value)


@tensor_method()
def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` rescaled so its ``p``-norm is at most ``maxnorm``."""
    from .norms import vector_norm
    d = normalize_dim(dim, input.dim())
    others = tuple(i for i in range(input.dim()) if i != d)
    norms = vector_norm(input, p, others, True)
    # PyTorch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, else 1.
    factor = maxnorm / (norms + 1e-7)
    scale = factor.where(norms.detach() > maxnorm, factor * 0 + 1)
    return input * scale


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """Deprecated: ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``."""
    from .matrix_functions import matrix_norm
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in a "
                  "future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """Deprecated: ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    from .norms import vector_norm
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    return vector_norm(input, 2, tuple(dim), keepdim)


@tensor_method()
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """Deprecated: ``(X, A.clone())`` with ``op(A) X = b``, ``op`` the transpose when ``transpose``."""
    from .solvers import solve_triangular
    A_used = A.transpose(-2, -1) if transpose else A
    x = solve_triangular(A_used, b, upper=upper != transpose, unitriangular=unitriangular)
    return return_types.triangular_solve(x, A.clone())


def i0(input, *, out=None):
    """The modified Bessel function of the first kind of order 0 (``special.i0``)."""
    from ..special import i0 as _i0
    return _i0(input)


@tensor_method()
def adjoint(input):
    """The conjugate transpose of the last two dims (a view, the transpose, for real tensors)."""
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return input.transpose(-2, -1).conj()


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran

