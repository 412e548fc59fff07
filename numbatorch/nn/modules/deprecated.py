"""Deprecated layer names PyTorch still exports: ``NLLLoss2d`` (an ``NLLLoss``) and ``Container`` (a ``Module``)."""
import warnings

from .loss_likelihood import NLLLoss
from .module import Module

__all__ = ["NLLLoss2d", "Container"]


class NLLLoss2d(NLLLoss):
    """Deprecated: ``NLLLoss`` (which handles (N, C, H, W) input), with PyTorch's FutureWarning.

    Args:
        weight, size_average, ignore_index, reduce, reduction: as for ``NLLLoss``.

    Shape:
        - Input: ``(N, C, H, W)`` log-probabilities; Target: ``(N, H, W)`` class indices.
        - Output: a scalar; ``(N, H, W)`` with ``reduction='none'``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.", FutureWarning,
                      stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class Container(Module):
    """Deprecated: a ``Module`` holding the modules given as keyword arguments.

    Args:
        kwargs: the modules to register, under their keyword names.
    """

    def __init__(self, **kwargs):
        super().__init__()
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now implemented in `nn.Module`. "
                      "Subclass that instead.", stacklevel=2)
        for key, value in kwargs.items():
            self.add_module(key, value)
