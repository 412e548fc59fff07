"""``torch.cond`` and ``torch.while_loop``: PyTorch's structured control flow, run eagerly (as PyTorch runs them
outside ``torch.compile``), so gradients flow through the branch or iterations taken."""
from ._tensor import Tensor

__all__ = ["cond", "while_loop"]


def _as_bool(pred):
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
        return bool(pred.item())
    return bool(pred)


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` (a bool or a one-element tensor) holds, else ``false_fn(*operands)``."""
    return (true_fn if _as_bool(pred) else false_fn)(*operands)


def while_loop(cond_fn, body_fn, carried_inputs):
    """The carried values (a tuple) after replacing them by ``body_fn(*carried)`` while ``cond_fn(*carried)`` holds."""
    carried = tuple(carried_inputs)
    while _as_bool(cond_fn(*carried)):
        carried = tuple(body_fn(*carried))
    return carried
