"""``LinearCrossEntropyLoss``: a linear classification head and its cross-entropy loss in one module."""
import math

from ..functional.linear_loss import linear_cross_entropy
from .linear import Linear
from .module import Module

__all__ = ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(Module):
    """Cross entropy of the logits of a linear layer, as ``F.linear_cross_entropy``.

    The layer maps ``in_features`` to ``num_classes`` logits (at each of the ``out_features`` positions of a
    K-dimensional loss).

    Args:
        in_features: size of each input sample.
        num_classes: number of classes C.
        out_features: extra dimensions (d_1, ..., d_K) of the logits. Default: ()
        bias: whether the linear layer has a bias. Default: False
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``
        weight: manual rescaling weight of each class (C,). Default: None
        ignore_index: a target value that does not contribute. Default: None
        label_smoothing: amount of smoothing in [0, 1]. Default: 0.0
        options: ``LinearCrossEntropyOptions`` (accepted; the result is unchanged).

    Shape:
        - Input: :math:`(N, in\\_features)` or :math:`(in\\_features)`
        - Target: :math:`(N, d_1, ..., d_K)` class indices, or class probabilities :math:`(N, C, d_1, ..., d_K)`
        - Output: scalar, or the target's shape with ``reduction='none'``
    """

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None, dtype=None,
                 reduction="mean", weight=None, ignore_index=None, label_smoothing=0.0, options=None):
        super().__init__()
        self.in_features = in_features
        self.num_classes = num_classes
        self.out_features = tuple(out_features)
        self.reduction = reduction
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.options = options
        self.linear = Linear(in_features, num_classes * math.prod(self.out_features), bias=bias, device=device,
                             dtype=dtype)

    def forward(self, input, target):
        shape = (self.num_classes,) + self.out_features
        bias = self.linear.bias
        return linear_cross_entropy(input, self.linear.weight.reshape(shape + (self.in_features,)), target,
                                    linear_bias=None if bias is None else bias.reshape(shape), weight=self.weight,
                                    reduction=self.reduction, ignore_index=self.ignore_index,
                                    label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self):
        return (f"in_features={self.in_features}, num_classes={self.num_classes}, out_features={self.out_features}, "
                f"bias={self.linear.bias is not None}, reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
