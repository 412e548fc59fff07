"""Distances and normalisation along a dimension: cosine_similarity, pairwise_distance, normalize."""


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of ``x1 - x2 + eps`` over the last dimension."""
    return (x1 - x2 + eps).norm(p=p, dim=-1, keepdim=keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / max(||x1|| ||x2||, eps)`` along ``dim`` (inputs broadcast)."""
    dot = (x1 * x2).sum(dim)
    norms = (x1 * x1).sum(dim) * (x2 * x2).sum(dim)
    return dot / norms.clamp(min=eps * eps).sqrt()


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p=p, dim=dim, keepdim=True).clamp(min=eps).expand_as(input)
    return input / denom


def pdist(input, p=2.0):
    """Distances between all row pairs (i < j) of a 2-D input, as a flat tensor."""
    import numpy as np

    from ..._ops._dtype_args import require_float_or_double
    from ..._tensor import Tensor
    require_float_or_double("pdist", input._data)
    n = input.shape[0]
    i, j = np.triu_indices(n, k=1)
    return (input[Tensor._make(i)] - input[Tensor._make(j)]).norm(p=p, dim=1)


__all__ = ["cosine_similarity", "normalize", "pairwise_distance", "pdist"]
