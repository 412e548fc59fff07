"""RMSNorm: root-mean-square layer normalisation."""
import numbers

from ... import _creation
from .. import init
from ..functional.rms_norm import rms_norm
from ..parameter import Parameter
from .module import Module

__all__ = ["RMSNorm"]


class RMSNorm(Module):
    """Divides each sample by the root mean square of its trailing ``normalized_shape`` dims, then scales it.

    Args:
        normalized_shape: the shape of the trailing dimensions to normalise over, an int or a sequence.
        eps: added to the mean square; ``None`` means the input dtype's machine epsilon. Default: ``None``.
        elementwise_affine: learn a ``weight`` (ones) of shape ``normalized_shape``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(*, *normalized_shape)``.
        - Output: the shape of the input.
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_creation.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self):
        """Weight back to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
