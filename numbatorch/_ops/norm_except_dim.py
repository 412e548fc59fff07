"""``norm_except_dim``: the norm over every dimension but one, as weight normalisation takes it."""
from .._tensor import Tensor

__all__ = ["norm_except_dim"]


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over all dimensions except ``dim``, kept as size-1 dimensions.

    ``dim=-1`` takes the norm of all of ``v`` (a 0-d tensor)."""
    if dim == -1:
        return Tensor.norm(v, pow)
    others = [d for d in range(v.dim()) if d != dim]
    if not others:
        return v.abs()
    return Tensor.norm(v, pow, dim=others, keepdim=True)
