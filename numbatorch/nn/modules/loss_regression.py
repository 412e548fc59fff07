"""Regression losses: the absolute, squared, smooth-L1 and Huber errors between input and target."""
from .. import functional as F
from .loss_base import _Loss


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
