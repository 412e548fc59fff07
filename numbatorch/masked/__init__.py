"""``numbatorch.masked`` (``torch.masked``): reductions and normalizations that take a boolean ``mask=``.

PyTorch's prototype ``MaskedTensor`` (a ``__torch_dispatch__`` tensor subclass carrying its mask) is not
implemented: ``MaskedTensor``, ``masked_tensor`` and ``as_masked_tensor`` raise, and ``is_masked_tensor`` is
False for every object numbatorch makes.
"""
from .._alias_import import MissingFeatureError
from ._ops import *  # noqa: F401,F403
from ._ops import __all__ as _ops_all

__all__ = list(_ops_all) + ["is_masked_tensor"]

_MASKED_TENSOR = ("MaskedTensor", "masked_tensor", "as_masked_tensor")


def is_masked_tensor(obj):
    """Whether ``obj`` is a MaskedTensor: always False, as numbatorch has no MaskedTensor."""
    return False


def __getattr__(name):
    if name in _MASKED_TENSOR:
        raise MissingFeatureError(f"numbatorch does not implement torch.masked.{name}: the prototype MaskedTensor "
                                  "subclass is not written yet; pass mask= to the torch.masked functions instead")
    raise AttributeError(f"module 'numbatorch.masked' has no attribute '{name}'")
