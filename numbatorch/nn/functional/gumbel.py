"""``F.gumbel_softmax``: differentiable samples from a categorical distribution (Gumbel-softmax trick)."""
from ..._creation import empty_like, zeros_like
from ..._ops._tensor_args import require_tensor

__all__ = ["gumbel_softmax"]


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution, optionally discretised (``hard``).

    ``softmax((logits + g) / tau)`` with Gumbel noise ``g``; with ``hard``, the one-hot of its argmax in the
    forward pass and the soft sample's gradient in the backward pass (straight-through)."""
    require_tensor("gumbel_softmax", logits, "logits")
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
