"""``CrossMapLRN2d``: PyTorch's legacy (Lua Torch) local response normalisation across channels."""
import numpy as np

from ..._creation import tensor
from .module import Module

__all__ = ["CrossMapLRN2d"]


def _window(channels, size, dtype):
    """(channels, channels) 0/1 matrix: row c marks the channels whose squares enter channel c's scale.

    That is channels c-p+1 .. c+p-1 with p = (size-1)//2 + 1 and, as PyTorch's running-sum implementation never
    subtracts it, always channel 0."""
    half = (size - 1) // 2 + 1
    window = np.zeros((channels, channels))
    for c in range(channels):
        window[c, max(c - half + 1, 0):min(c + half - 1, channels - 1) + 1] = 1
        window[c, 0] = 1
    return tensor(window, dtype=dtype)


class CrossMapLRN2d(Module):
    """Local response normalisation across channels of a 4-D input, with PyTorch's legacy channel window.

    Args:
        size: number of neighbouring channels summed.
        alpha: multiplicative factor. Default: 1e-4
        beta: exponent. Default: 0.75
        k: additive factor. Default: 1

    Shape:
        - Input: :math:`(N, C, H, W)`
        - Output: :math:`(N, C, H, W)` (same shape as input)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        window = _window(input.shape[1], self.size, input.dtype)
        summed = (window @ (input * input).flatten(2)).reshape(input.shape)
        return input * (summed * (self.alpha / self.size) + self.k).pow(-self.beta)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
