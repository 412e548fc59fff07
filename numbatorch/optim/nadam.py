"""NAdam: Adam with Nesterov momentum (Dozat's momentum-decay schedule)."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, lerp_, scalar_tensor, update_grad, zeros_state

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum, the momentum warmed up by ``momentum_decay``.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``2e-3``.
        betas: decay rates of the running averages of the gradient and its square. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        momentum_decay: the rate of the momentum schedule. Default: ``4e-3``.
        decoupled_weight_decay: decay the weights directly (as AdamW does) instead of through the gradient.
            Default: ``False``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, capturable, differentiable: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                       "decoupled_weight_decay": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_hypers(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One NAdam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = as_float(group["lr"]), group["eps"], group["weight_decay"]
            momentum_decay, maximize = group["momentum_decay"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["mu_product"] = scalar_tensor(1.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                step = self._state_step(state)
                param, grad = p._data, p.grad._data
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                mu_product = state["mu_product"]
                grad = update_grad(param, grad, maximize, weight_decay, decoupled, lr)
                bias_correction2 = 1 - beta2 ** step
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                # mu_product is a float32 tensor in PyTorch: its rounding is part of the trajectory.
                mu_product._data *= mu
                bump(mu_product)
                mu_prod = mu_product._data.item()
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                denom = np.sqrt(exp_avg_sq / bias_correction2)
                mu_product_next = mu_prod * mu_next
                denom += eps
                param += ((-lr * (1.0 - mu) / (1.0 - mu_prod)) * grad) / denom
                param += (((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg) / denom
                bump(p, state["exp_avg"], state["exp_avg_sq"])
        return loss
