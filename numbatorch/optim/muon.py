"""Muon: momentum whose update is orthogonalised by a Newton-Schulz iteration, for 2-D (hidden-layer) weights."""
import math

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, as_float, bump, lerp_, zeros_state

__all__ = ["Muon"]

_ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


def _bfloat16(x):
    """``x`` rounded to bfloat16 (to nearest, ties to even), kept in float32: PyTorch runs the iteration in bfloat16."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return rounded.view(np.float32)


def _orthogonalized(update, ns_coefficients, ns_steps, eps):
    """About ``U V^T`` of ``update = U S V^T`` by ``ns_steps`` quintic Newton-Schulz steps, in bfloat16."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    wide = update.shape[0] <= update.shape[1]
    x = _bfloat16(update if wide else update.T)  # iterate on the Gram matrix of the shorter side
    norm = _bfloat16(np.sqrt(np.sum(x.astype(np.float32) ** 2, dtype=np.float32)))
    x = _bfloat16(x / max(norm, _bfloat16(np.float32(eps))))  # spectral norm at most 1
    for _ in range(ns_steps):
        gram = _bfloat16(x @ x.T)
        gram = _bfloat16(np.float32(b) * gram + np.float32(c) * (gram @ gram))
        x = _bfloat16(np.float32(a) * x + gram @ x)
    return x if wide else x.T


def _adjusted_lr(lr, adjust_lr_fn, shape):
    """The learning rate scaled so that updates of any matrix shape have a comparable RMS."""
    rows, cols = shape[:2]
    if adjust_lr_fn == "match_rms_adamw":  # Moonshot's: the RMS of AdamW's update
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1, rows / cols))  # Keller Jordan's original


class Muon(Optimizer):
    """PyTorch's ``Muon``: SGD momentum whose update is orthogonalised by Newton-Schulz iterations.

    The momentum buffer is an exponential average ``b = mu * b + (1 - mu) * g``; the update (``g + mu * (b - g)``
    with Nesterov, else ``b``) is orthogonalised in bfloat16, then ``p *= 1 - lr * weight_decay`` and
    ``p -= lr' * update`` with ``lr'`` the learning rate adjusted to the matrix shape (``adjust_lr_fn``).
    Only for 2-D parameters: biases, embeddings and the like go to another optimizer such as AdamW.

    Args:
        params: an iterable of 2-D parameters (or of named parameters), or of dicts defining parameter groups.
        lr: learning rate. Default: ``1e-3``.
        weight_decay: decoupled weight decay. Default: ``0.1``.
        momentum: momentum factor. Default: ``0.95``.
        nesterov: use Nesterov momentum. Default: ``True``.
        ns_coefficients: ``(a, b, c)`` of the Newton-Schulz polynomial. Default: ``(3.4445, -4.775, 2.0315)``.
        eps: lower bound of the norm the update is divided by. Default: ``1e-7``.
        ns_steps: number of Newton-Schulz steps (below 100). Default: ``5``.
        adjust_lr_fn: ``"original"`` (``lr * sqrt(max(1, rows / cols))``, the default) or ``"match_rms_adamw"``
            (``0.2 * lr * sqrt(max(rows, cols))``).
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn not in _ADJUST_LR_FNS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def step(self, closure=None):
        """One Muon update of every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, momentum = as_float(group["lr"]), group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("Muon does not support sparse gradients")
                grad = p.grad._data
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_state(p.grad)
                buf = state["momentum_buffer"]._data
                lerp_(buf, grad, 1 - momentum)
                update = buf
                if group["nesterov"]:
                    update = grad.copy()
                    lerp_(update, buf, momentum)
                update = _orthogonalized(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
                data = p._data
                data *= data.dtype.type(1 - lr * group["weight_decay"])
                data += data.dtype.type(-_adjusted_lr(lr, group["adjust_lr_fn"], data.shape)) * update.astype(
                    data.dtype)
                bump(p, state["momentum_buffer"])
        return loss
