"""Loss modules: each stores its options and calls the ``nn.functional`` form."""
from .. import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F.loss._legacy_reduction(size_average, reduce, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error: ``|input - target|`` per element, then reduced.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.

    Examples::

        >>> loss = nn.L1Loss()
        >>> output = loss(torch.randn(3, 5, requires_grad=True), torch.randn(3, 5))
        >>> output.backward()
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: ``(input - target) ** 2`` per element, then reduced.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.

    Examples::

        >>> loss = nn.MSELoss()
        >>> output = loss(torch.randn(3, 5, requires_grad=True), torch.randn(3, 5))
        >>> output.backward()
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above it.

    Per element ``0.5 * d**2 / beta`` if ``|d| < beta``, else ``|d| - 0.5 * beta``, with ``d = input - target``.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        beta: where the loss changes from quadratic to linear; ``0`` gives the L1 loss. Default: ``1.0``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss: ``0.5 * d**2`` if ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, with ``d = input - target``.

    Args:
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        delta: where the loss changes from quadratic to linear; must be positive. Default: ``1.0``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross entropy between probabilities and targets: ``-w * (y * log(x) + (1 - y) * log(1 - x))``.

    Log terms are clamped at ``-100`` (as in PyTorch), so an input of exactly 0 or 1 gives a finite loss.

    Args:
        weight: rescaling weight of each element, broadcast to the input's shape. Default: ``None``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``, probabilities in ``[0, 1]``.
        - Target: ``(*)``, the shape of the input, values in ``[0, 1]``.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross entropy in one numerically stable step, on logits.

    Args:
        weight: rescaling weight of each element, broadcast to the input's shape. Default: ``None``.
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.
        pos_weight: weight of the positive term, broadcast along the last (class) dimension; ``> 1`` favours recall.
            Default: ``None``.

    Shape:
        - Input: ``(*)``, logits.
        - Target: ``(*)``, the shape of the input, values in ``[0, 1]``.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of class indices under log-probabilities: ``-w[y] * input[y]`` per sample.

    Args:
        weight: a 1-D tensor of ``C`` class weights. Default: ``None`` (all ones).
        size_average: deprecated; see ``reduction``.
        ignore_index: a target value that contributes neither loss nor gradient nor weight. Default: ``-100``.
        reduce: deprecated; see ``reduction``.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` (divided by
            the sum of the targets' weights) or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(N, C)``, ``(C,)`` or ``(N, C, d_1, ..., d_K)``, log-probabilities.
        - Target: ``(N,)``, ``()`` or ``(N, d_1, ..., d_K)``, integer class indices in ``[0, C)``.
        - Output: a scalar; the target's shape with ``reduction='none'``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy between logits and class indices or class probabilities (``log_softmax`` then ``NLLLoss``).

    Args:
        weight: a 1-D tensor of ``C`` class weights. Default: ``None`` (all ones).
        size_average: deprecated; see ``reduction``.
        ignore_index: with class-index targets, a value that contributes neither loss nor gradient. Default: ``-100``.
        reduce: deprecated; see ``reduction``.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` (for index
            targets: divided by the sum of the targets' weights) or ``'sum'``. Default: ``'mean'``.
        label_smoothing: in ``[0, 1]``; mixes the targets with the uniform distribution by this amount.
            Default: ``0.0``.

    Shape:
        - Input: ``(N, C)``, ``(C,)`` or ``(N, C, d_1, ..., d_K)``, unnormalised logits.
        - Target: class indices of shape ``(N,)``, ``()`` or ``(N, d_1, ..., d_K)`` in ``[0, C)``, or class
          probabilities of the input's shape.
        - Output: a scalar; the input's shape without ``C`` with ``reduction='none'``.

    Examples::

        >>> loss = nn.CrossEntropyLoss()
        >>> logits = torch.randn(3, 5, requires_grad=True)
        >>> output = loss(logits, torch.tensor([1, 0, 4]))
        >>> output.backward()
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence ``target * (log(target) - input)``, with the input given as log-probabilities.

    Args:
        size_average, reduce: deprecated; when either is given it overrides ``reduction``, as in PyTorch.
        reduction: ``'none'``, ``'batchmean'`` (sum over all, divided by the batch size: the mathematical KL
            divergence), ``'sum'`` or ``'mean'`` (divided by the number of elements). Default: ``'mean'``.
        log_target: the target is given as log-probabilities too. Default: ``False``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Negative log likelihood of a Poisson-distributed target: ``exp(input) - target * input`` for log-rate inputs.

    Args:
        log_input: the input is the log of the rate; if ``False`` it is the rate and the loss is
            ``input - target * log(input + eps)``. Default: ``True``.
        full: add Stirling's approximation of ``log(target!)`` (for targets above 1). Default: ``False``.
        size_average: deprecated; see ``reduction``.
        eps: keeps ``log`` finite when ``log_input=False``. Default: ``1e-8``.
        reduce: deprecated; see ``reduction``.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Target: ``(*)``, the shape of the input.
        - Output: a scalar; ``(*)`` with ``reduction='none'``.
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log likelihood of the target under Gaussians with mean ``input`` and variance ``var``.

    Per element ``0.5 * (log(max(var, eps)) + (input - target) ** 2 / max(var, eps))``.

    Call it as ``loss(input, target, var)``.

    Args:
        full: add the constant ``0.5 * log(2 * pi)``. Default: ``False``.
        eps: lower clamp of the variance, for stability (the gradient flows as if unclamped). Default: ``1e-6``.
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: ``(N, *)`` or ``(*)``.
        - Target: the shape of the input.
        - Var: the shape of the input, or with one dimension of size 1, or without the last dimension
          (a variance shared along that dimension).
        - Output: a scalar; the input's shape with ``reduction='none'``.
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


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
