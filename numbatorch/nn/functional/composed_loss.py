"""Losses of ``nn.functional`` composed of differentiable tensor ops (autograd derives their backward)."""
import numpy as np

from ..._tensor import Tensor
from ._loss_common import _legacy_reduction, _reduce


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with ``input`` as log-probabilities.

    See ``nn.KLDivLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if log_target:
        terms = target.exp() * (target - input)
    else:
        terms = target.xlogy(target) - target * input
    if reduction == "batchmean":
        return terms.sum() / (input.shape[0] if input.dim() else 1)
    return _reduce(terms, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log likelihood of a Poisson-distributed ``target``.

    See ``nn.PoissonNLLLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * np.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of ``target`` under Gaussians of mean ``input`` and variance ``var``.

    See ``nn.GaussianNLLLoss`` for the arguments and shapes.
    """
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * input.new_ones(input.shape)
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)  # one variance per sample, shared by the last dimension
        elif not (var.dim() == input.dim()
                  and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # PyTorch clamps under no_grad: the clamped var is used, but its gradient flows as if unclamped.
    var = var + (var.clamp(min=eps) - var).detach()
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * np.log(2 * np.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """Ranking loss ``max(0, -target * (input1 - input2) + margin)``.

    See ``nn.MarginRankingLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """Hinge loss for similarity targets of 1 or -1.

    See ``nn.HingeEmbeddingLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    positive = input.masked_fill(target != 1, 0)
    negative = (margin - input).clamp(min=0).masked_fill(target != -1, 0)
    return _reduce(positive + negative, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))``.

    See ``nn.SoftMarginLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((1 + (-target * input).exp()).log(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Multi-label one-versus-all logistic loss.

    See ``nn.MultiLabelSoftMarginLoss`` for the arguments and shapes.
    """
    from .activation import logsigmoid
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=-1) / input.shape[-1]
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """Cosine loss of pairs for targets 1 (similar) or -1 (dissimilar).

    See ``nn.CosineEmbeddingLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = prod / mag.sqrt()
    pos = (1 - cos).masked_fill(target != 1, 0)
    neg = (cos - margin).clamp(min=0).masked_fill(target != -1, 0)
    return _reduce(pos + neg, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss.

    See ``nn.MultiMarginLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(-1, 1)
    n_classes = x.shape[1]
    if (target._data < 0).any() or (target._data >= n_classes).any():
        raise IndexError(f"Target {int(target._data.max())} is out of bounds.")
    correct = x.gather(1, t)
    terms = (margin - correct + x).clamp(min=0)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[t.reshape(-1)].reshape(-1, 1)
    own = Tensor._make(np.arange(n_classes, like=t._data)[None, :] == t._data)
    loss = terms.masked_fill(own, 0).sum(1) / n_classes
    if input.dim() == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss with ``-1``-terminated target index lists.

    See ``nn.MultiLabelMarginLoss`` for the arguments and shapes.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target._data.reshape(x.shape)
    n_classes = x.shape[1]
    rows = []
    for i in range(x.shape[0]):
        labels = []
        for j in t[i]:
            if j < 0:
                break
            labels.append(int(j))
        is_target = np.zeros_like(x._data, shape=n_classes, dtype=bool)
        is_target[labels] = True
        if not labels:
            rows.append(x[i].sum() * 0)
            continue
        xi = x[i]
        picked = xi[labels].reshape(-1, 1)
        terms = (1 - picked + xi.reshape(1, -1)).clamp(min=0)
        terms = terms.masked_fill(Tensor._make(np.broadcast_to(is_target, terms.shape)), 0)
        rows.append(terms.sum() / n_classes)
    from ..._ops.joining import stack
    loss = stack(rows) if rows else x.sum(1)     # no samples: an empty loss per sample
    if input.dim() == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """Triplet loss ``max(d(anchor, positive) - d(anchor, negative) + margin, 0)``.

    See ``nn.TripletMarginLoss`` for the arguments and shapes.
    """
    from .distance import pairwise_distance
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ..._ops.binary_math import minimum
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


__all__ = ["cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "kl_div", "margin_ranking_loss",
           "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
           "soft_margin_loss", "triplet_margin_loss"]
