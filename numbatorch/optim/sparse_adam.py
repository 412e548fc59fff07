"""SparseAdam: Adam whose moments and parameters change only where the gradient has entries ("lazy" Adam)."""
import math

import numpy as np

from .optimizer import Optimizer, as_float, bump, check_betas, scalar_tensor, zeros_state

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """PyTorch's ``SparseAdam``, for embedding tables.

    numbatorch has no sparse gradients, so the gradient's entries are its rows (slices along dim 0) holding a
    nonzero value: exactly the rows a sparse embedding gradient lists, since the rows an embedding looked up get
    a gradient and the others none. Rows without one keep their parameters and moments untouched, as in PyTorch.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr: learning rate. Default: ``1e-3``.
        betas: decay rates of the running averages of the gradient and its square. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
    """

    _group_defaults = {"maximize": False}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One lazy Adam update of the rows of each parameter that have a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = as_float(group["lr"]), group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                step = self._state_step(state)
                grad = -p.grad._data if group["maximize"] else p.grad._data
                rows = _rows_with_gradient(grad)
                g = grad[rows]
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                old_avg, old_avg_sq = exp_avg[rows], exp_avg_sq[rows]
                avg_update = (g - old_avg) * (1 - beta1)
                sq_update = (g * g - old_avg_sq) * (1 - beta2)
                exp_avg[rows] = old_avg + avg_update
                exp_avg_sq[rows] = old_avg_sq + sq_update
                numer = avg_update + old_avg
                denom = np.sqrt(sq_update + old_avg_sq) + eps
                step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
                p._data[rows] += -step_size * (numer / denom)
                bump(p, state["exp_avg"], state["exp_avg_sq"])
        return loss


def _rows_with_gradient(grad):
    """Indices along dim 0 of the slices of ``grad`` holding any nonzero value (its "sparse" entries)."""
    if grad.ndim == 0:
        return Ellipsis
    flat = grad.reshape(grad.shape[0], -1)
    return np.flatnonzero(np.any(flat != 0, axis=1))
