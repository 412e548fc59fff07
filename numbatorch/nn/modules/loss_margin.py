"""Margin losses: ranking, hinge, embedding, soft-margin, multi-label, multi-class and triplet losses."""
from .. import functional as F
from .loss_base import _Loss, _WeightedLoss


class MarginRankingLoss(_Loss):
    """Ranking loss ``max(0, -y * (x1 - x2) + margin)`` for targets ``y = 1`` (``x1`` should rank higher) or ``-1``.

    Call it as ``loss(input1, input2, target)``.

    Args:
        margin: the required separation. Default: ``0.0``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input1, Input2: ``(N,)`` or ``()``.
        - Target: the shape of the inputs, values ``1`` or ``-1``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """Hinge loss for similarity targets: ``x`` where ``y = 1`` and ``max(0, margin - x)`` where ``y = -1``.

    Args:
        margin: the margin for the dissimilar pairs. Default: ``1.0``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``, typically distances.
        - Target: ``(*)``, the shape of the input, values ``1`` or ``-1``.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """Cosine loss: ``1 - cos(x1, x2)`` where ``y = 1`` and ``max(0, cos(x1, x2) - margin)`` where ``y = -1``.

    Call it as ``loss(input1, input2, target)``.

    Args:
        margin: in ``[-1, 1]``; ``0`` to ``0.5`` is typical. Default: ``0.0``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input1, Input2: ``(N, D)`` or ``(D,)``.
        - Target: ``(N,)`` or ``()``, values ``1`` or ``-1``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-y * x))`` for targets ``y`` of ``1`` or ``-1``.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``.
        - Target: ``(*)``, the shape of the input, values ``1`` or ``-1``.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all logistic loss: the mean over classes of the binary cross entropy with logits.

    Args:
        weight: a 1-D tensor of ``C`` class weights. Default: ``None``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(N, C)``, logits.
        - Target: ``(N, C)``, values ``0`` or ``1``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss: ``sum over target classes j and other classes i of max(0, 1 - (x[j] - x[i])) / C``.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(C,)`` or ``(N, C)``.
        - Target: the input's shape; each row lists its target class indices, ended by the first ``-1``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss: ``sum over i != y of max(0, margin - x[y] + x[i]) ** p / C``.

    Args:
        p: ``1`` or ``2``. Default: ``1``.
        margin: the required margin. Default: ``1.0``.
        weight: a 1-D tensor of ``C`` class weights, applied by the target class. Default: ``None``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(N, C)`` or ``(C,)``.
        - Target: ``(N,)`` or ``()``, class indices in ``[0, C)``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """Triplet loss ``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the p-norm distance (``F.pairwise_distance``).

    Call it as ``loss(anchor, positive, negative)``.

    Args:
        margin: the required gap; must be positive. Default: ``1.0``.
        p: the norm degree of the distance. Default: ``2.0``.
        eps: added to the differences, for a finite gradient at zero distance. Default: ``1e-6``.
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance (distance swap). Default: ``False``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Anchor, Positive, Negative: ``(N, D)`` or ``(D,)``.
        - Output: a scalar; ``(N,)`` with ``reduction='none'``.
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)
