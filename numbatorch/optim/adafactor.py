"""Adafactor: Adam-like steps with a factored (row x column) second-moment estimate for matrices."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, as_float, bump, lerp_, scalar_tensor

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """PyTorch's ``Adafactor`` (Shazeer & Stern, 2018): memory proportional to rows + columns of each matrix.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr: the maximal relative step size. Default: ``1e-2``.
        beta2_decay: the second-moment decay rate is ``1 - step ** beta2_decay``. Default: ``-0.8``.
        eps: ``(eps1, eps2)``: floor of the second moment (None: the dtype's machine epsilon) and of the
            parameter scale. Default: ``(None, 1e-3)``.
        d: clipping threshold of the update's root mean square. Default: ``1.0``.
        weight_decay: decoupled weight decay. Default: ``0.0``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach: accepted for PyTorch compatibility; it does not change the update.
    """

    _group_defaults = {"foreach": None, "maximize": False}

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= as_float(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adafactor update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, beta2_decay, d = as_float(group["lr"]), group["beta2_decay"], group["d"]
            eps1, eps2 = group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad._data if group["maximize"] else p.grad._data
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    if grad.ndim > 1:
                        state["row_var"] = Tensor._make(np.zeros_like(grad, shape=grad.shape[:-1] + (1,)))
                        state["col_var"] = Tensor._make(np.zeros_like(grad, shape=grad.shape[:-2] + (1,) +
                                                                      grad.shape[-1:]))
                    else:
                        state["variance"] = Tensor._make(np.zeros_like(grad))
                step = self._state_step(state)
                param = p._data
                e1 = float(np.finfo(param.dtype).eps) if eps1 is None else eps1
                one_minus_beta2 = step ** beta2_decay
                rho = min(lr, 1 / (step ** 0.5))
                alpha = max(eps2, float(np.sqrt(np.sum(param * param))) / (param.size ** 0.5)) * rho
                if weight_decay != 0:
                    param *= 1 - lr * weight_decay
                if grad.ndim > 1:
                    row_var, col_var = state["row_var"]._data, state["col_var"]._data
                    lerp_(row_var, (grad * grad).mean(axis=-1, keepdims=True), one_minus_beta2)
                    lerp_(col_var, (grad * grad).mean(axis=-2, keepdims=True), one_minus_beta2)
                    estimate = (row_var @ col_var) / np.maximum(row_var.mean(axis=-2, keepdims=True), e1)
                    bump(state["row_var"], state["col_var"])
                else:
                    variance = state["variance"]._data
                    lerp_(variance, grad * grad, one_minus_beta2)
                    estimate = variance.copy()
                    bump(state["variance"])
                update = grad / np.sqrt(np.maximum(estimate, e1 * e1))
                denom = max(1.0, float(np.sqrt(np.sum(update * update))) / ((update.size ** 0.5) * d))
                param -= (alpha / denom) * update
                bump(p)
        return loss
