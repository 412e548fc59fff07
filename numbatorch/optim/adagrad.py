"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, scalar_tensor, update_grad, zeros_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: per-element steps scaled by the root of the sum of all past squared gradients.

    Its state is created at construction, as in PyTorch.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-2``.
        lr_decay: the learning rate at step ``t`` is ``lr / (1 + (t - 1) * lr_decay)``. Default: ``0``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        initial_accumulator_value: the starting value of the sum of squared gradients. Default: ``0``.
        eps: added to the denominator for numerical stability. Default: ``1e-10``.
        foreach: accepted and kept in the param groups for PyTorch compatibility;
            it does not change the update.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        differentiable, fused: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "fused": None}

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_hypers(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                     initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_tensor(0.0)
                state["sum"] = zeros_state(p, group["initial_accumulator_value"])

    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = as_float(group["lr"]), group["lr_decay"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                step = self._state_step(state)
                param, grad = p._data, p.grad._data
                state_sum = state["sum"]._data
                grad = update_grad(param, grad, maximize, weight_decay)
                clr = lr / (1 + (step - 1) * lr_decay)
                addcmul_(state_sum, grad, grad, 1)
                std = np.sqrt(state_sum)
                std += eps
                param += (-clr * grad) / std
                bump(p, state["sum"])
        return loss
