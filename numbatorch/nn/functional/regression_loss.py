"""The regression losses of ``nn.functional`` (mse, l1, smooth L1, Huber), each one graph node with a fused
forward/backward (``backends/cpu/_pair_loss_kernels`` for large arrays)."""
import numpy as np

from ..._ops._tensor_args import require_tensor
from ..._ops._util import record
from ..._tensor import Tensor
from ...autograd.graph import operand, with_zero_input_edges
from ...backends.cpu import _pair_loss_kernels as pair_losses
from ...backends.cpu._select_kernels import select
from ._loss_common import _PairNode, _check_same_size, _legacy_reduction, _reduce, _where


def _weight_elements(unweighted, weight, input, reduction, mean_over_weights):
    """PyTorch's ``weight`` of mse/l1/huber loss: the elementwise loss (``reduction='none'``) times ``weight`` (of
    the input's size), summed, or for 'mean' divided by the weights' sum (mse, l1: ``mean_over_weights``) or by
    the element count (huber)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = unweighted * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_over_weights else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _times_reduction_weight(grad, weight):
    """A reduced loss's gradient (one number) times the reduction's ``weight``; ``grad`` itself for None."""
    return grad if weight is None else grad * weight


class MseLossBackward0(_PairNode):
    # a: None, or the weight of a reduction formed by the forward kernel (``pair_losses.weight``)
    __slots__ = ()

    def backward(self, grad):
        grads = pair_losses.loss_backward(grad, self.x, self.y, pair_losses.MSE, self.a, self.inputs[1] is not None)
        if grads is not None:
            return grads
        d = 2 * (self.x - self.y) * grad
        return d, -d

    def backward_graph(self, grad):
        d = 2 * (operand(self, 0, self.x) - operand(self, 1, self.y)) * _times_reduction_weight(grad, self.a)
        return d, -d


class L1LossBackward0(_PairNode):
    # a: as MseLossBackward0's
    __slots__ = ()

    def backward(self, grad):
        grads = pair_losses.loss_backward(grad, self.x, self.y, pair_losses.L1, self.a, self.inputs[1] is not None)
        if grads is not None:
            return grads
        d = np.sign(self.x - self.y) * grad
        return d, -d

    def backward_graph(self, grad):
        d = _times_reduction_weight(grad, self.a) * Tensor._make(np.sign(self.x - self.y))
        return with_zero_input_edges(self, (d, -d))


class SmoothL1LossBackward0(_PairNode):
    # a = (beta, scale): Huber is beta=delta with scale delta; a reduction formed by the forward kernel multiplies
    # its weight into scale.
    __slots__ = ()

    def backward(self, grad):
        beta, scale = self.a
        grads = pair_losses.loss_backward(grad, self.x, self.y, pair_losses.smooth_l1_terms(beta, scale), None,
                                          self.inputs[1] is not None)
        if grads is not None:
            return grads
        diff = self.x - self.y
        if beta == 0:
            d = np.sign(diff)
        else:
            d = select(np.abs(diff) < beta, diff / beta, np.sign(diff)) * scale
        d = d * grad
        return d, -d

    def backward_graph(self, grad):
        beta, scale = self.a
        diff = self.x - self.y
        sign = Tensor._make(np.sign(diff) * scale)
        if beta == 0:
            d = grad * sign
        else:
            inside = operand(self, 0, self.x) - operand(self, 1, self.y)
            d = _where(Tensor._make(np.abs(diff) < beta), grad * inside * (scale / beta), grad * sign)
        return d, -d


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target) ** 2``, reduced; ``weight`` scales each element.

    With ``weight``, 'mean' divides by the weights' sum, as PyTorch's.

    See ``nn.MSELoss`` for the arguments and shapes.
    """
    require_tensor("mse_loss", input)
    require_tensor("mse_loss", target, "target", 2)
    _check_same_size(input, target, "mse_loss")
    x, y = input._data, target._data
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weight_elements(mse_loss(input, target, reduction="none"), weight, input, reduction, True)
    out = pair_losses.loss(x, y, pair_losses.MSE, reduction)
    if out is not None:
        return record(out, MseLossBackward0, (input, target), x=x, y=y, a=pair_losses.weight(x, reduction))
    loss = record(np.square(x - y), MseLossBackward0, (input, target), x=x, y=y, a=None)
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``, reduced; ``weight`` scales each element.

    With ``weight``, 'mean' divides by the weights' sum, as PyTorch's.

    See ``nn.L1Loss`` for the arguments and shapes.
    """
    require_tensor("l1_loss", input)
    require_tensor("l1_loss", target, "target", 2)
    _check_same_size(input, target, "l1_loss")
    x, y = input._data, target._data
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weight_elements(l1_loss(input, target, reduction="none"), weight, input, reduction, True)
    out = pair_losses.loss(x, y, pair_losses.L1, reduction)
    if out is not None:
        return record(out, L1LossBackward0, (input, target), x=x, y=y, a=pair_losses.weight(x, reduction))
    loss = record(np.abs(x - y), L1LossBackward0, (input, target), x=x, y=y, a=None)
    return _reduce(loss, reduction)


def _fused_smooth_l1(input, target, reduction, beta, scale):
    """Smooth L1 (Huber: beta = scale = delta) by ``pair_losses``' kernels, reduced there; None where they do not
    apply."""
    x, y = input._data, target._data
    out = pair_losses.loss(x, y, pair_losses.smooth_l1_terms(beta, scale), reduction)
    if out is None:
        return None
    weight = pair_losses.weight(x, reduction)
    return record(out, SmoothL1LossBackward0, (input, target), x=x, y=y,
                  a=(beta, scale if weight is None else scale * weight))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above it, reduced.

    See ``nn.SmoothL1Loss`` for the arguments and shapes.
    """
    _check_same_size(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y = input._data, target._data
    reduction = _legacy_reduction(size_average, reduce, reduction)
    fused = _fused_smooth_l1(input, target, reduction, beta, 1.0)
    if fused is not None:
        return fused
    diff = np.abs(x - y)
    out = diff if beta == 0 else select(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta)
    loss = record(out.astype(x.dtype, copy=False), SmoothL1LossBackward0, (input, target), x=x, y=y, a=(beta, 1.0))
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: quadratic below ``delta``, linear above it, reduced; ``weight`` scales each element.

    See ``nn.HuberLoss`` for the arguments and shapes.
    """
    _check_same_size(input, target, "huber_loss")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        return _weight_elements(huber_loss(input, target, "none", delta), weight, input, reduction, False)
    fused = _fused_smooth_l1(input, target, reduction, delta, delta)
    if fused is not None:
        return fused
    x, y = input._data, target._data
    diff = np.abs(x - y)
    out = select(diff < delta, 0.5 * diff * diff, delta * (diff - 0.5 * delta)).astype(x.dtype, copy=False)
    loss = record(out, SmoothL1LossBackward0, (input, target), x=x, y=y, a=(delta, delta))
    return _reduce(loss, reduction)


__all__ = ["huber_loss", "l1_loss", "mse_loss", "smooth_l1_loss"]
