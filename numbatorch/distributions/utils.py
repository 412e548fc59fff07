"""Helpers of the distributions: broadcasting parameters, probabilities <-> logits."""
import numpy as np

from .. import _dtype as dt
from .._creation import tensor
from .._tensor import Tensor

__all__ = ["broadcast_all", "probs_to_logits", "logits_to_probs", "clamp_probs"]


def broadcast_all(*values):
    """The arguments as tensors of one broadcast shape (numbers take the tensors' dtype, or the default dtype)."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    if not tensors and not all(isinstance(v, (int, float)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    like = tensors[0].dtype if tensors else dt.get_default_dtype()
    as_tensors = [v if isinstance(v, Tensor) else tensor(v, dtype=like) for v in values]
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in as_tensors))
    return tuple(t.expand(shape) if tuple(t.shape) != shape else t for t in as_tensors)


def clamp_probs(probs):
    """Probabilities kept in [eps, 1 - eps] so their logits are finite."""
    eps = float(np.finfo(probs._data.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities (log-odds when ``is_binary``, log-probabilities otherwise)."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if is_binary else clamped.log()


def logits_to_probs(logits, is_binary=False):
    """Probabilities of logits (sigmoid when ``is_binary``, softmax over the last dim otherwise)."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)
