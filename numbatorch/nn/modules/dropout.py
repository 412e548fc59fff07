"""Dropout modules: active in ``train()``, identity in ``eval()``."""
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes elements at random in training; the identity in eval mode.

    Each element is zeroed with probability ``p`` and the kept ones are scaled by ``1 / (1 - p)``.

    Args:
        p: probability of an element being zeroed. Default: ``0.5``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.

    Examples::

        >>> m = nn.Dropout(p=0.2)
        >>> y = m(torch.randn(20, 16))
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of 1-D feature maps at random in training; the identity in eval mode.

    Each channel of each sample is zeroed with probability ``p`` and the kept ones are scaled by ``1 / (1 - p)``.

    Args:
        p: probability of an element being zeroed. Default: ``0.5``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.

    Shape:
        - Input: ``(N, C, L)`` or ``(C, L)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of 2-D feature maps at random in training; the identity in eval mode.

    Each channel of each sample is zeroed with probability ``p`` and the kept ones are scaled by ``1 / (1 - p)``.

    Args:
        p: probability of an element being zeroed. Default: ``0.5``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of 3-D feature maps at random in training; the identity in eval mode.

    Each channel of each sample is zeroed with probability ``p`` and the kept ones are scaled by ``1 / (1 - p)``.

    Args:
        p: probability of an element being zeroed. Default: ``0.5``.
        inplace: overwrite the input instead of allocating the result. Default: ``False``.

    Shape:
        - Input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks that keeps the input's mean and variance; the identity in eval mode.

    Dropped elements take SELU's negative saturation value and an affine correction restores the statistics.

    Args:
        p: probability of an element being dropped. Default: ``0.5``.
        inplace: accepted for PyTorch compatibility; the result is always a new tensor. Default: ``False``.

    Shape:
        - Input: ``(*)``, any number of dimensions.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels: like ``AlphaDropout`` but one draw per ``(sample, channel)``.

    Args:
        p: probability of a channel being dropped. Default: ``0.5``.
        inplace: accepted for PyTorch compatibility; the result is always a new tensor. Default: ``False``.

    Shape:
        - Input: ``(N, C, *)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
