"""``F.triplet_margin_with_distance_loss``: the triplet loss with any distance function."""
from ..._ops.binary_math import minimum
from .distance import pairwise_distance
from ..._ops._tensor_args import require_tensor

__all__ = ["triplet_margin_with_distance_loss"]


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """Triplet loss with a custom distance function.

    ``max(d(a, p) - d(a, n) + margin, 0)``, ``d`` = ``distance_function`` (default: pairwise distance); with
    ``swap``, ``d(a, n)`` is replaced by ``min(d(a, n), d(p, n))``."""
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        require_tensor("triplet_margin_with_distance_loss", t, name)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not a_dim == p_dim == n_dim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
