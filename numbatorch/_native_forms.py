"""The ``torch.native_*`` normalisation and dropout functions (which also return the statistics or the mask they
computed), ``torch.convolution`` (every convolution behind one signature), ``torch.ctc_loss`` (reduction as
an int, as PyTorch's ``torch.*`` loss forms take it) and ``torch.embedding_renorm_``."""
import numpy as np

from . import autograd
from ._creation import empty, ones_like
from ._ops._util import record
from ._tensor import Tensor
from .autograd.graph import Node
from .nn import functional as F
from .nn.functional._keep_mask import keep_mask
from .nn.functional.batchnorm import saved_statistics
from .nn.functional.sparse import _renorm_

__all__ = ["convolution", "ctc_loss", "embedding_renorm_", "native_batch_norm", "native_dropout", "native_group_norm",
           "native_layer_norm"]

_REDUCTIONS = ("none", "mean", "sum")


def _normalize(x, dims, weight, bias, eps, affine_shape):
    """``x`` normalised over ``dims`` with the mean and 1/std it used (kept dims), then scaled and shifted."""
    mean = x.mean(dim=dims, keepdim=True)
    rstd = (x.var(dim=dims, unbiased=False, keepdim=True) + eps).rsqrt()
    out = (x - mean) * rstd
    if weight is not None:
        out = out * weight.reshape(affine_shape)
    if bias is not None:
        out = out + bias.reshape(affine_shape)
    return out, mean, rstd


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``(layer_norm(input, ...), mean, rstd)``, the statistics with the normalised dimensions kept as size 1.

    As in PyTorch, the statistics are outside the autograd graph."""
    dims = list(range(input.dim() - len(normalized_shape), input.dim()))
    out, mean, rstd = _normalize(input, dims, weight, bias, eps, tuple(normalized_shape))
    return out, mean.detach(), rstd.detach()


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """``(group_norm(input, group, ...), mean, rstd)`` with the (differentiable) statistics of shape ``(N, group)``."""
    grouped = input.reshape(N, group, -1)
    out, mean, rstd = _normalize(grouped, [2], None, None, eps, None)
    out = out.reshape(input.shape)
    affine_shape = (1, C) + (1,) * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(affine_shape)
    if bias is not None:
        out = out + bias.reshape(affine_shape)
    return out, mean.reshape(N, group), rstd.reshape(N, group)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``(batch_norm(input, ...), save_mean, save_invstd)``, the statistics empty unless ``training``.

    When training they are the batch's mean and 1/std per channel (running statistics are updated as
    ``batch_norm`` does)."""
    if training and input.numel() == 0:
        raise RuntimeError(f"input tensor must have at least one element, but got input_sizes = {list(input.shape)}")
    out = F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        return out, empty(0, dtype=input.dtype), empty(0, dtype=input.dtype)
    return (out,) + saved_statistics(input, weight, bias, running_mean, running_var, eps)


class NativeDropoutBackward0(Node):
    """Gradient of ``native_dropout``: the output's gradient where the mask kept the input, times ``scale``."""

    __slots__ = ("mask", "scale")

    def backward(self, grad):
        # a Python-float scale multiplies in PyTorch's opmath type (float32 for the narrower floats)
        opmath = np.float64 if grad.dtype == np.float64 else np.float32
        return grad * self.mask * opmath(self.scale)

    def backward_graph(self, grad):
        return grad * Tensor._make(self.mask) * self.scale


def native_dropout(input, p, train):
    """``(output, mask)``: dropout of ``input`` with probability ``p`` and the boolean mask of the kept elements.

    When ``train`` is true or None, elements are zeroed where ``mask`` is False and the rest scaled by 1/(1-p);
    else the output is a copy of ``input`` and the mask all True."""
    with autograd.no_grad():
        if train is False:
            out, mask = input.clone(), ones_like(input, dtype=bool)
        elif p == 1:
            out, mask = input * 0, ones_like(input, dtype=bool).logical_not()
        else:
            mask = Tensor._make(np.asarray(keep_mask(tuple(input.shape), p), like=input._data))
            # PyTorch multiplies by the scale 1 / (1 - p) taken in float64, then rounded to the input's dtype
            out = input * mask * (1.0 / (1.0 - p))
    # PyTorch's gradient scale: 1 unless ``train`` is True (also for None, whose forward does drop)
    grad_scale = (0.0 if p == 1 else 1.0 / (1.0 - p)) if train else 1.0
    return record(out._data, NativeDropoutBackward0, (input,), reads=(mask,), mask=mask._data, scale=grad_scale), mask


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The N-d convolution, or with ``transposed`` the transposed convolution, of ``input`` by ``weight``.

    N is the number of ``input``'s spatial dimensions."""
    dims = input.dim() - 2
    if transposed:
        conv = getattr(F, f"conv_transpose{dims}d")
        return conv(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(F, f"conv{dims}d")(input, weight, bias, stride, padding, dilation, groups)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1, zero_infinity=False):
    """``F.ctc_loss`` with the reduction as an int: 0 ``'none'``, 1 ``'mean'`` (default), 2 ``'sum'``."""
    if reduction not in (0, 1, 2):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _REDUCTIONS[reduction],
                      zero_infinity)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale in place the rows of ``input`` at ``indices`` whose norm exceeds ``max_norm``; returns ``input``.

    As ``F.embedding(..., max_norm=, norm_type=)`` does: such rows get ``norm_type``-norm ``max_norm``."""
    with autograd.no_grad():
        _renorm_(input, indices._data, max_norm, norm_type)
    return input
