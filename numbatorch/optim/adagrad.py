"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, scalar_tensor, update_grad, zeros_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's ``Adagrad`` (its state is created at construction, as in PyTorch)."""

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
