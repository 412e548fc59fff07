"""Likelihood losses: binary and multi-class cross entropy, negative log likelihoods and the KL divergence."""
from .. import functional as F
from .loss_base import _Loss, _WeightedLoss


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
