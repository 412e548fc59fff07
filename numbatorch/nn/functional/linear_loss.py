"""``linear_cross_entropy``: cross entropy of a linear projection's logits."""
import math

from .linear import linear
from .loss import cross_entropy

__all__ = ["linear_cross_entropy"]


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    ``linear_weight`` is (C, d_1, ..., d_K, in_features) for a K-dimensional loss, its logits laid out as
    (N, C, d_1, ..., d_K); ``ignore_index=None`` ignores no class. ``options`` are accepted without effect.
    """
    in_features = linear_weight.shape[-1]
    classes = tuple(linear_weight.shape[:-1])
    logits = linear(input, linear_weight.reshape(math.prod(classes), in_features),
                    None if linear_bias is None else linear_bias.reshape(-1))
    logits = logits.reshape(tuple(input.shape[:-1]) + classes)
    return cross_entropy(logits, target, weight, ignore_index=-100 if ignore_index is None else ignore_index,
                         reduction=reduction, label_smoothing=label_smoothing)
