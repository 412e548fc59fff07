"""The classification losses of ``nn.functional`` (binary cross-entropy, NLL, cross-entropy), each one graph node
with a fused forward/backward; the regression losses are in ``regression_loss.py``, the others, composed of
differentiable ops, in ``composed_loss.py``."""
import numpy as np

from ... import _dtype as dt
from ..._ops._tensor_args import require_tensor
from ..._ops._util import _legacy_name, record, zeros
from ..._tensor import Tensor
from ...autograd.graph import Node, operand
from ...backends.cpu import _bce_logits_kernels as bce_logits
from ._loss_common import _PairNode, _legacy_reduction, _reduce


class BinaryCrossEntropyBackward0(_PairNode):
    __slots__ = ()

    def backward(self, grad):
        x, y, w = self.x, self.y, self.a
        eps = 1e-12
        gx = grad * (x - y) / np.maximum((1 - x) * x, eps)
        gy = None
        if self.inputs[1] is not None:
            gy = grad * (np.log(np.maximum(1 - x, eps)) - np.log(np.maximum(x, eps)))
        if w is not None:
            gx = gx * w
            gy = None if gy is None else gy * w
        return gx, gy

    def backward_graph(self, grad):
        eps = 1e-12
        x, y, w = operand(self, 0, self.x), operand(self, 1, self.y), self.a
        gx = grad * (x - y) / ((1 - x) * x).clamp(min=eps)
        gy = None
        if self.inputs[1] is not None:
            gy = grad * ((1 - x).clamp(min=eps).log() - x.clamp(min=eps).log())
        if w is not None:
            gx = gx * Tensor._make(w)
            gy = None if gy is None else gy * Tensor._make(w)
        return gx, gy


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross entropy between probabilities ``input`` and ``target``.

    See ``nn.BCELoss`` for the arguments and shapes.
    """
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    x, y = input._data, target._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    # PyTorch clamps the logs at -100 so that log(0) gives a finite loss.
    out = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
    w = None if weight is None else weight._data
    if w is not None:
        out = out * w
    loss = record(out.astype(x.dtype, copy=False), BinaryCrossEntropyBackward0, (input, target), x=x, y=y, a=w)
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


class BinaryCrossEntropyWithLogitsBackward0(_PairNode):
    __slots__ = ()

    def backward(self, grad):
        x, y = self.x, self.y
        w, pw = self.a
        grads = bce_logits.loss_backward(grad, x, y, pw, w, self.inputs[1] is not None)
        if grads is not None:
            return grads
        s = np.exp(-np.logaddexp(0, -x))  # sigmoid without overflow for very negative logits
        if pw is None:
            gx = s - y
        else:
            gx = (pw * y + 1 - y) * s - pw * y
        gx = gx * grad
        gy = None
        if self.inputs[1] is not None:
            # d loss / d y = -(pw * log(sigmoid(x)) - log(1 - sigmoid(x))), and log(1 - sigmoid(x)) = log_sig - x.
            log_sig = -np.logaddexp(0, -x)
            gy = -((1 if pw is None else pw) * log_sig - (log_sig - x)) * grad
        if w is not None:
            gx = gx * w
            gy = None if gy is None else gy * w
        return gx, gy

    def backward_graph(self, grad):
        from .activation import logsigmoid
        x, y = operand(self, 0, self.x), operand(self, 1, self.y)
        w, pw = (None if a is None else Tensor._make(a) for a in self.a)
        s = x.sigmoid()
        gx = grad * (s - y if pw is None else (pw * y + 1 - y) * s - pw * y)
        gy = None
        if self.inputs[1] is not None:
            log_sig = logsigmoid(x)
            gy = -grad * ((1 if pw is None else pw) * log_sig - (log_sig - x))
        if w is not None:
            gx = gx * w
            gy = None if gy is None else gy * w
        return gx, gy


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross entropy on logits, with the sigmoid folded in stably.

    See ``nn.BCEWithLogitsLoss`` for the arguments and shapes.
    """
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    x, y = input._data, target._data
    pw = None if pos_weight is None else pos_weight._data
    w = None if weight is None else weight._data
    out = bce_logits.loss(x, y, pw, w)
    if out is None:
        # Stable for large |x|: log(1 + exp(-|x|)) never overflows.
        log_sig = -np.logaddexp(0, -x)          # log(sigmoid(x))
        log_one_minus = log_sig - x             # log(1 - sigmoid(x))
        out = -((y if pw is None else pw * y) * log_sig + (1 - y) * log_one_minus)
        if w is not None:
            out = out * w
    loss = record(out.astype(x.dtype, copy=False), BinaryCrossEntropyWithLogitsBackward0, (input, target),
                  x=x, y=y, a=(w, pw))
    return _reduce(loss, _legacy_reduction(size_average, reduce, reduction))


class NllLossBackward0(Node):
    __slots__ = ("target", "weights", "shape", "divisor", "reduction", "dtype")

    def backward(self, grad):
        g = zeros(self.shape, self.dtype, like=self.weights)
        # Scatter -weight * grad into the target class of each (sample, position).
        scale = -self.weights * (grad if self.reduction == "none" else grad / self.divisor)
        np.put_along_axis(g, np.expand_dims(self.target, 1), np.expand_dims(scale, 1).astype(self.dtype), axis=1)
        return g

    def backward_graph(self, grad):
        # Linear in grad: a constant scatter matrix of -weights at the targets, times the incoming gradient.
        m = zeros(self.shape, self.dtype, like=self.weights)
        np.put_along_axis(m, np.expand_dims(self.target, 1), np.expand_dims(-self.weights, 1).astype(self.dtype),
                          axis=1)
        m = Tensor._make(m)
        if self.reduction == "none":
            return m * grad.unsqueeze(1)
        return m * (grad / self.divisor)

# class-index targets PyTorch's nll_loss accepts (int32 and the other integer types are refused)
_CLASS_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


def _check_class_targets(input, target):
    x, t = input._data, target._data
    if t.dtype not in _CLASS_TARGET_DTYPES:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy_name(t.dtype)}")
    batch = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    if t.shape != batch:
        if x.ndim >= 2 and t.ndim >= 1 and t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                             f"({t.shape[0]}).")
        raise RuntimeError(f"Expected target size {list(batch)}, got {list(t.shape)}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input`` (N, C, d1, ...)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x = input._data
    if x.ndim == 1:
        out = nll_loss(input.unsqueeze(0), target.reshape(1), weight, None, ignore_index, None, reduction)
        return out.squeeze(0) if reduction == "none" else out
    _check_class_targets(input, target)
    t = target._data.astype(np.int64, copy=False)
    n_classes = x.shape[1]
    ignored = t == ignore_index
    bad = (~ignored) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    safe_t = np.where(ignored, 0, t)
    w = np.ones_like(x, shape=n_classes) if weight is None else weight._data.astype(x.dtype, copy=False)
    sample_w = np.where(ignored, 0, w[safe_t]).astype(x.dtype)
    picked = np.take_along_axis(x, np.expand_dims(safe_t, 1), axis=1).squeeze(1)
    losses = -picked * sample_w
    if reduction == "none":
        out, divisor = losses, 1.0
    elif reduction == "sum":
        out, divisor = np.asarray(losses.sum(), dtype=x.dtype, like=x), 1.0
    elif reduction == "mean":
        divisor = sample_w.sum()
        out = np.asarray(losses.sum() / divisor, dtype=x.dtype, like=x)
    else:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return record(out, NllLossBackward0, (input,), target=safe_t, weights=sample_w, shape=x.shape,
                  divisor=divisor, reduction=reduction, dtype=x.dtype)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits ``input`` with class-index or class-probability ``target``."""
    require_tensor("cross_entropy_loss", input)
    require_tensor("cross_entropy_loss", target, "target", 2)
    from ..._ops.softmax import log_softmax
    reduction = _legacy_reduction(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    log_probs = log_softmax(input, class_dim)
    if target.shape == input.shape:
        # as in PyTorch, the shape says "class probabilities"; then the dtype must be floating point
        if not dt.is_floating(target._data.dtype):
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_legacy_name(target._data.dtype)}")
        n_classes = input.shape[class_dim]
        probs = target
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / n_classes
        terms = log_probs * probs
        if weight is not None:
            terms = terms * weight.reshape([-1] + [1] * (input.dim() - class_dim - 1))
        losses = -terms.sum(class_dim)
        if reduction == "mean":
            return losses.sum() / (losses.numel() if input.dim() > 1 else 1)
        return _reduce(losses, reduction)
    if target._data.dtype not in _CLASS_TARGET_DTYPES:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy_name(target._data.dtype)}")
    nll = nll_loss(log_probs, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return nll
    n_classes = input.shape[class_dim]
    smooth_terms = log_probs if weight is None else \
        log_probs * weight.reshape([-1] + [1] * (input.dim() - class_dim - 1))
    smooth = -smooth_terms.sum(class_dim)
    ignored = Tensor._make(target._data == ignore_index)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        if weight is None:
            denom = (~ignored).sum()
        else:
            safe = np.where(target._data == ignore_index, 0, target._data)
            denom = Tensor._make(np.where(target._data == ignore_index, 0, weight._data[safe]).sum())
        smooth = smooth.sum() / denom
    else:
        smooth = _reduce(smooth, reduction)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"]
