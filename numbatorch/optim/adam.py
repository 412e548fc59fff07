"""Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""
import numpy as np

from ..backends.cpu import optim as optim_kernels  # not kernel_family: its host copies would lose in-place writes
from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, lerp_, scalar_tensor, update_grad, zeros_state

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: steps by bias-corrected running averages of the gradient and of its square.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-3``.
        betas: decay rates of the running averages of the gradient and its square. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        amsgrad: use the maximum of the past squared-gradient averages (AMSGrad). Default: ``False``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        decoupled_weight_decay: decay the weights directly, as AdamW does, instead of through the gradient.
            Default: ``False``.
        foreach, capturable, differentiable, fused: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.

    Examples::

        >>> optimizer = optim.Adam(model.parameters(), lr=1e-3)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(input), target).backward()
        >>> optimizer.step()
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                       "differentiable": False, "fused": None, "decoupled_weight_decay": False}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_hypers(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (as_float(b) for b in group["betas"])
            lr, eps, weight_decay = as_float(group["lr"]), group["eps"], group["weight_decay"]
            amsgrad, maximize, decoupled = group["amsgrad"], group["maximize"], group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_state(p)
                step = self._state_step(state)
                param, grad = p._data, p.grad._data
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                grad = update_grad(param, grad, maximize, weight_decay, decoupled, lr)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if not amsgrad and optim_kernels.adam_update(param, grad, exp_avg, exp_avg_sq, beta1, beta2, step_size,
                                                             bias_correction2_sqrt, eps):
                    bump(p, state["exp_avg"], state["exp_avg_sq"])
                    continue
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                if amsgrad:
                    max_sq = state["max_exp_avg_sq"]
                    np.maximum(max_sq._data, exp_avg_sq, out=max_sq._data)
                    bump(max_sq)
                    denom = np.sqrt(max_sq._data) / bias_correction2_sqrt
                else:
                    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt
                denom += eps
                param += (-step_size * exp_avg) / denom
                bump(p, state["exp_avg"], state["exp_avg_sq"])
        return loss
