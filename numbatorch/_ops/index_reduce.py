"""``index_reduce``: reduce slices of ``source`` into the slices of ``input`` that a 1-D ``index`` names along one
dimension (prod, mean, amax or amin), as ``scatter_reduce`` with that index spread over the slices."""
from .._tensor import Tensor, normalize_dim, tensor_method
from ._util import apply_inplace

__all__ = ["index_reduce"]


@tensor_method()
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``input`` with each slice ``source.select(dim, i)`` reduced into ``input.select(dim, index[i])``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    dim = normalize_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.dim()} with "
                         f"type: Long and size: {list(index.shape)}")
    if index.numel() != source.shape[dim]:
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be equal to "
                           f"source.size(dim): ({source.shape[dim]}), for dim: {dim}")
    shape = [1] * source.dim()
    shape[dim] = -1
    spread = Tensor.expand(index.reshape(shape), tuple(source.shape))
    return input.scatter_reduce(dim, spread, source, reduce, include_self=include_self)


@tensor_method()
def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    """In-place ``index_reduce``; returns self."""
    return apply_inplace(self, index_reduce(self, dim, index, source, reduce, include_self=include_self))
