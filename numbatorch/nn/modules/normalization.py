"""LayerNorm, GroupNorm and LocalResponseNorm."""
import numbers

from ... import _creation
from .. import init
from ..functional.normalization import group_norm, layer_norm, local_response_norm
from ..parameter import Parameter
from .module import Module


def _affine_parameters(module, shape, affine, bias, dtype):
    """Register ``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None for each that is switched off."""
    if affine:
        module.weight = Parameter(_creation.ones(shape, dtype=dtype))
        if bias:
            module.bias = Parameter(_creation.zeros(shape, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` dimensions of each sample.

    Each sample is normalised by the mean and (biased) variance over its last ``len(normalized_shape)``
    dimensions, then scaled and shifted elementwise.

    Args:
        normalized_shape: the shape of the trailing dimensions to normalise over, an int or a sequence.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of shape ``normalized_shape``.
            Default: ``True``.
        bias: with ``elementwise_affine``, whether to learn ``bias``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(*, *normalized_shape)``.
        - Output: the shape of the input.

    Examples::

        >>> m = nn.LayerNorm(10)
        >>> y = m(torch.randn(20, 5, 10))
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalisation: statistics per sample and group of channels, then a per-channel affine.

    The channels are split into ``num_groups`` groups and each ``(sample, group)`` is normalised by its own mean
    and (biased) variance.

    Args:
        num_groups: the number of groups; must divide ``num_channels``.
        num_channels: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, *)``.
        - Output: the shape of the input.
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, dtype)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={use_bias}".format(
            **self.__dict__, use_bias=self.bias is not None)


class LocalResponseNorm(Module):
    """Local response normalisation across neighbouring channels.

    ``y_c = x_c / (k + alpha / size * s_c) ** beta`` with ``s_c`` the sum of ``x^2`` over the ``size`` channels
    around ``c`` (zero-padded at the ends).

    Args:
        size: the number of neighbouring channels summed over.
        alpha: the multiplicative factor. Default: ``1e-4``.
        beta: the exponent. Default: ``0.75``.
        k: the additive factor. Default: ``1.0``.

    Shape:
        - Input: ``(N, C, *)``.
        - Output: the shape of the input.
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


__all__ = ["GroupNorm", "LayerNorm", "LocalResponseNorm"]
