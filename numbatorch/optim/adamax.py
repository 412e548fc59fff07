"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .optimizer import Optimizer, as_float, bump, check_hypers, lerp_, scalar_tensor, update_grad, zeros_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax: the Adam variant that scales steps by an exponentially weighted infinity norm of the gradients.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``2e-3``.
        betas: decay rates of the running average of the gradient and of the infinity norm. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, differentiable, capturable: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_hypers(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adamax update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = as_float(group["lr"]), group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_inf"] = zeros_state(p)
                step = self._state_step(state)
                param, grad = p._data, p.grad._data
                exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
                grad = update_grad(param, grad, maximize, weight_decay)
                lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                abs_grad = np.abs(grad)
                abs_grad += eps
                np.maximum(exp_inf, abs_grad, out=exp_inf)
                clr = lr / (1 - beta1 ** step)
                param += (-clr * exp_avg) / exp_inf
                bump(p, state["exp_avg"], state["exp_inf"])
        return loss
