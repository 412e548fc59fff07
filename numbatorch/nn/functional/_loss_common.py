"""What the fused losses of ``nn.functional`` share: their reductions, PyTorch's legacy reduction arguments, the
input/target size check, and the node of a loss of (input, target)."""
import warnings

import numpy as np

from ...autograd.graph import Node


def _where(condition, input, other):
    from ..._ops.ternary import where
    return where(condition, input, other)


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def _check_same_size(input, target, name):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({input.shape[-1]}) must match the size of tensor b "
                               f"({target.shape[-1]}) at non-singleton dimension {len(input.shape) - 1}") from None


class _PairNode(Node):
    """Backward of an elementwise loss of (input, target); both may require grad."""

    __slots__ = ("x", "y", "a")
