"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, lerp_, scalar_tensor, update_grad, zeros_state

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam: Adam with the variance of the adaptive step rectified; plain momentum steps while it is not tractable.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-3``.
        betas: decay rates of the running averages of the gradient and its square. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        decoupled_weight_decay: decay the weights directly (as AdamW does) instead of through the gradient.
            Default: ``False``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, capturable, differentiable: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "decoupled_weight_decay": False,
                       "capturable": False}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_hypers(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One RAdam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = as_float(group["lr"]), group["eps"], group["weight_decay"]
            maximize, decoupled = group["maximize"], group["decoupled_weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                step = self._state_step(state)
                param, grad = p._data, p.grad._data
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                grad = update_grad(param, grad, maximize, weight_decay, decoupled, lr)
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    exp_avg_sq_sqrt = np.sqrt(exp_avg_sq)
                    exp_avg_sq_sqrt += eps
                    adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq_sqrt
                    param -= bias_corrected_exp_avg * lr * adaptive_lr * rect
                else:
                    param -= bias_corrected_exp_avg * lr
                bump(p, state["exp_avg"], state["exp_avg_sq"])
        return loss
