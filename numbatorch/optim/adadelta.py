"""Adadelta: learning rates from running averages of squared gradients and squared updates."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, scalar_tensor, update_grad, zeros_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of running RMS of past updates to running RMS of gradients.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: a coefficient that scales the delta before it is applied. Default: ``1.0``.
        rho: decay rate of the running averages. Default: ``0.9``.
        eps: added to the denominator for numerical stability. Default: ``1e-6``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        foreach, capturable: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        differentiable: accepted and kept in the param groups for PyTorch compatibility;
            it does not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_hypers(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_hypers(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adadelta update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, rho, eps = as_float(group["lr"]), group["rho"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["square_avg"] = zeros_state(p)
                    state["acc_delta"] = zeros_state(p)
                self._state_step(state)
                param, grad = p._data, p.grad._data
                square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
                grad = update_grad(param, grad, maximize, weight_decay)
                square_avg *= rho
                addcmul_(square_avg, grad, grad, 1 - rho)
                std = np.sqrt(square_avg + eps)
                delta = np.sqrt(acc_delta + eps)
                delta /= std
                delta *= grad
                acc_delta *= rho
                addcmul_(acc_delta, delta, delta, 1 - rho)
                param += -lr * delta
                bump(p, state["square_avg"], state["acc_delta"])
        return loss
