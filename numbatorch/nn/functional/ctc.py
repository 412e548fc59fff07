"""``F.ctc_loss``: Connectionist Temporal Classification loss (Graves et al., 2006).

The forward (alpha) and backward (beta) recursions run in log space over time, vectorised over the extended
label sequence of each sample. The gradient is PyTorch's: ``exp(log_probs) - exp(log(alpha*beta) + nll -
log_probs)`` at every ``t < input_length``, which is the gradient with respect to the logits when ``log_probs``
comes from ``log_softmax`` (whose backward then passes it through unchanged), as in PyTorch.

The recursions are a Python loop over time and samples on small arrays: on 'cuda' they run on host copies and
the losses and gradients are moved back to the device.
"""
import numpy as np

from ..._creation import tensor
from ..._device import CPU, move
from ..._ops._not_implemented import NotImplementedBackward
from ..._ops._dtype_args import require_float_or_double
from ..._ops._util import record
from ..._tensor import Tensor
from ...autograd.graph import Node, operand
from ..._ops._tensor_args import require_tensor

__all__ = ["ctc_loss"]

_NEG_INF = -np.inf


def _logsumexp(*arrays):
    stacked = np.stack(arrays)
    top = np.max(stacked, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.sum(np.exp(stacked - safe), axis=0))


def _extended(labels, blank):
    """``blank, l1, blank, l2, ..., blank`` and, per position, whether the skip from s - 2 is allowed."""
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = labels
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return ext, skip


def _alpha(lp, ext, skip, length):
    """Log forward variables (length, len(ext)) of one sample; ``lp`` is its (T, C) log-probabilities."""
    alpha = np.full((max(length, 1), len(ext)), _NEG_INF)
    if length == 0:
        return alpha
    alpha[0, 0] = lp[0, ext[0]]
    if len(ext) > 1:
        alpha[0, 1] = lp[0, ext[1]]
    for t in range(1, length):
        prev = alpha[t - 1]
        shift1 = np.concatenate(([_NEG_INF], prev[:-1]))
        shift2 = np.where(skip, np.concatenate(([_NEG_INF, _NEG_INF], prev[:-2])), _NEG_INF)
        alpha[t] = _logsumexp(prev, shift1, shift2) + lp[t, ext]
    return alpha


def _beta(lp, ext, skip, length):
    """Log backward variables (length, len(ext)) of one sample."""
    beta = np.full((length, len(ext)), _NEG_INF)
    beta[-1, -1] = lp[length - 1, ext[-1]]
    if len(ext) > 1:
        beta[-1, -2] = lp[length - 1, ext[-2]]
    skip_next = np.concatenate((skip[2:], [False, False]))  # may s jump to s + 2?
    for t in range(length - 2, -1, -1):
        nxt = beta[t + 1]
        shift1 = np.concatenate((nxt[1:], [_NEG_INF]))
        shift2 = np.where(skip_next, np.concatenate((nxt[2:], [_NEG_INF, _NEG_INF])), _NEG_INF)
        beta[t] = _logsumexp(nxt, shift1, shift2) + lp[t, ext]
    return beta


class CtcLossBackward0(Node):
    __slots__ = ("lp", "samples", "nll", "zero_infinity")

    def backward(self, grad):
        lp = self.lp  # (T, N, C) as float64, on the host
        out = np.zeros_like(lp)
        host_grad = move(grad, CPU)
        for n, (labels, length, ext, skip, alpha) in enumerate(self.samples):
            if length == 0 or (self.zero_infinity and not np.isfinite(self.nll[n])):
                continue
            beta = _beta(lp[:, n], ext, skip, length)
            ab = alpha[:length] + beta  # (length, len(ext))
            lcab = np.full((length, lp.shape[2]), _NEG_INF)
            for c in np.unique(ext):  # log(sum over the positions labelled c of alpha * beta)
                lcab[:, c] = _logsumexp(*ab[:, ext == c].T) if np.sum(ext == c) > 1 else ab[:, ext == c][:, 0]
            sample_lp = lp[:length, n]
            with np.errstate(over="ignore", invalid="ignore"):
                g = np.exp(sample_lp) - np.exp(lcab + self.nll[n] - sample_lp)
            out[:length, n] = g * host_grad[n]
        return np.asarray(out, like=grad)

    def backward_graph(self, grad):
        # grad times the loss's derivative, whose own derivative PyTorch does not have either
        local = self.backward(np.ones_like(grad._data))
        local = record(local, NotImplementedBackward, (operand(self, 0, None),), op="_ctc_loss_backward")
        return local * grad.unsqueeze(-1)


def _lengths(value, name):
    if isinstance(value, Tensor):
        return [int(v) for v in value._data.reshape(-1)]
    if isinstance(value, int):
        return [value]
    return [int(v) for v in value]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """CTC loss of ``log_probs`` (T, N, C) (or (T, C)) against ``targets`` (N, S) padded or 1-D concatenated.

    ``reduction='mean'`` divides each sample's loss by its target length, then averages over the batch.
    ``zero_infinity`` zeroes infinite losses (inputs too short for their targets) and their gradients.
    """
    require_tensor("ctc_loss", log_probs, "log_probs")
    unbatched = log_probs.dim() == 2
    lp_t = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp_t.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, but got {log_probs.dim()}-D")
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    require_float_or_double("ctc_loss_cpu", log_probs._data)
    T, N, C = lp_t.shape
    in_lens = _lengths(input_lengths, "input_lengths")
    tg_lens = _lengths(target_lengths, "target_lengths")
    if len(in_lens) != N or len(tg_lens) != N:
        raise RuntimeError(f"input_lengths must be of size batch_size ({N}) and target_lengths too, but got "
                           f"{len(in_lens)} and {len(tg_lens)}")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    tg = move(targets._data, CPU)
    if unbatched and tg.ndim == 1 and tg.size >= tg_lens[0] and len(tg_lens) == 1:
        tg = tg[None]
    lp = move(lp_t._data, CPU).astype(np.float64)
    samples, nll = [], np.empty(N)
    offset = 0
    for n in range(N):
        length, s = in_lens[n], tg_lens[n]
        if length > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {length} (while "
                               f"checking arguments for ctc_loss_cpu)")
        if tg.ndim == 2:
            labels = tg[n, :s]
        else:
            labels = tg[offset:offset + s]
            offset += s
        ext, skip = _extended(labels.astype(np.int64), blank)
        alpha = _alpha(lp[:, n], ext, skip, length)
        if length == 0:
            nll[n] = 0.0 if s == 0 else np.inf
        else:
            ends = alpha[length - 1, -2:] if len(ext) > 1 else alpha[length - 1, -1:]
            nll[n] = -_logsumexp(*ends)
        samples.append((labels, length, ext, skip, alpha))
    if zero_infinity:
        nll = np.where(np.isinf(nll), 0.0, nll)
    out = np.asarray(nll, like=lp_t._data).astype(lp_t._data.dtype)
    losses = record(out, CtcLossBackward0, (lp_t,), lp=lp, samples=samples, nll=nll, zero_infinity=zero_infinity)
    if reduction == "none":
        return losses[0] if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        divisors = tensor(np.maximum(np.array(tg_lens), 1), dtype=losses.dtype, device=losses.device)
        return (losses / divisors).mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")
