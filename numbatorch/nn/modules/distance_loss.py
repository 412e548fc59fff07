"""TripletMarginWithDistanceLoss: the triplet loss with a distance function of the user's choice."""
from ..functional.triplet_distance import triplet_margin_with_distance_loss
from .distance import PairwiseDistance
from .loss_base import _Loss

__all__ = ["TripletMarginWithDistanceLoss"]


class TripletMarginWithDistanceLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` = ``distance_function`` (default ``PairwiseDistance()``).

    Call it as ``loss(anchor, positive, negative)``.

    Args:
        distance_function: a callable ``(x, y) -> distances``. Default: ``nn.PairwiseDistance()``.
        margin: the required gap; must be positive. Default: ``1.0``.
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance. Default: ``False``.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Anchor, Positive, Negative: ``(N, *)`` or ``(*)``, as ``distance_function`` accepts them.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                 margin=self.margin, swap=self.swap, reduction=self.reduction)
