"""The argument checks of ``embedding_bag``: ``F.embedding_bag``'s (PyTorch's Python layer, ValueErrors) and
``torch.embedding_bag``'s (the ATen kernel's, RuntimeErrors), with PyTorch's messages and order."""
import numpy as np

from ..._tensor import Tensor

MODES = ("sum", "mean", "max")

_DECREASING_OFFSETS = ("Expected i < index_size to be true, but got false.  (Could this error message be improved?  If "
                       "so, please report an enhancement request to PyTorch.)")


def _torch_size(shape):
    return f"torch.Size({list(shape)})"


def check_functional(input, weight, offsets, per_sample_weights, mode, scale_grad_by_freq, sparse):
    """``F.embedding_bag``'s checks before the kernel's (max_norm renormalises between them and the last one)."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({_torch_size(per_sample_weights.shape)}) is not "
                         f"None, then it must have the same shape as the input ({_torch_size(input.shape)})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            kind = "<class 'torch.Tensor'>" if isinstance(offsets, Tensor) else str(type(offsets))
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {kind}")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")


def check_per_sample_weights_mode(per_sample_weights, mode):
    """``F.embedding_bag``'s last check, made after max_norm's renormalisation as in PyTorch."""
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")


def normalized_padding_idx(padding_idx, num_embeddings):
    """``torch.embedding_bag``'s first check: ``padding_idx`` names a row (negative counts from the end)."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num_embeddings} through "
                           f"{num_embeddings - 1}, but got {padding_idx}")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def check_kernel(weight, indices, offsets, mode, per_sample_weights):
    """``torch.embedding_bag``'s checks of 1-d ``indices`` and ``offsets``, ``mode`` 0/1/2 (sum/mean/max)."""
    for arg, what in ((indices, "#1 'indices'"), (offsets, "#2 'offsets'")):
        if arg._data.dtype not in (np.int64, np.int32):
            raise RuntimeError(f"Expected tensor for argument {what} to have one of the following scalar types: "
                               f"Long, Int; but got {arg.type()} instead (while checking arguments for embedding_bag)")
    if mode not in (0, 1, 2):
        raise RuntimeError("`mode` must be sum, mean, or max.")
    if offsets.dim() != 1:
        raise RuntimeError(f"offsets has to be a 1D Tensor, but got Tensor of dimension {offsets.dim()}")
    starts = offsets._data
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(starts[0])}\n[ {offsets.type()}{{}} ]")
    if starts.size and starts[-1] > indices.numel():
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {indices.numel()} but got "
                           f"offsets[-1] of {int(starts[-1])}")
    if (np.diff(starts) < 0).any():
        # PyTorch's FBGEMM kernels (float32, float16, bfloat16; sum and mean) raise this when a bag splits across
        # threads; on one thread and in its other kernels a decreasing offset reads out of its bag (an undefined
        # result), so every form raises it here.
        raise RuntimeError(_DECREASING_OFFSETS)
    if per_sample_weights is not None:
        if mode != 0:
            raise RuntimeError("embedding_bag: per_sample_weights only supported with mode='sum'")
        if per_sample_weights.numel() != indices.numel():
            raise RuntimeError("Expected per_sample_weights.value().numel() == indices.numel() to be true, but got "
                               "false.  (Could this error message be improved?  If so, please report an enhancement "
                               "request to PyTorch.)")


def _fbgemm_rows(weight, padding_idx):
    """The rows PyTorch's FBGEMM kernels take: float32/float16/bfloat16 with unit stride, no padding index."""
    rows = weight._data
    return (padding_idx is None and weight.dtype.name in ("float32", "float16", "bfloat16")
            and rows.strides[1] == rows.itemsize)


def is_fast_path(weight, mode, padding_idx):
    """PyTorch's fast sum kernel, which leaves ``offset2bag`` empty."""
    return mode == 0 and _fbgemm_rows(weight, padding_idx)


def check_index_range(weight, flat, mode, padding_idx):
    """Every index must name a row; the message is that of the kernel PyTorch picks (FBGEMM for sum and mean)."""
    bad = np.flatnonzero((flat < 0) | (flat >= weight.shape[0]))
    if not bad.size:
        return
    if mode in (0, 1) and _fbgemm_rows(weight, padding_idx):
        # FBGEMM words it so; the position it names is FBGEMM's own, not always this one.
        raise RuntimeError(f"Index {bad[0]} of input takes value {flat[bad[0]]} which is not in the valid range "
                           f"[0, {weight.shape[0]})")
    raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                       f"{flat[bad[0]]}")
