"""Rprop: resilient back-propagation, a per-element step size grown or shrunk by the sign of the gradient."""
import numpy as np

from .optimizer import Optimizer, as_float, bump, check_hyper, scalar_tensor, zeros_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """PyTorch's ``Rprop``: each element moves by its own step size against the sign of its gradient.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr: initial step size of every element. Default: ``1e-2``.
        etas: ``(etaminus, etaplus)``, the factors a step size is multiplied by when the gradient's sign flips /
            stays. Default: ``(0.5, 1.2)``.
        step_sizes: ``(min, max)`` bounds of the step sizes. Default: ``(1e-6, 50)``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, capturable, differentiable: accepted for PyTorch compatibility; they do not change the update.
    """

    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_hyper("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Rprop update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["prev"] = zeros_state(p)
                    state["step_size"] = zeros_state(p, as_float(group["lr"]))
                self._state_step(state)
                grad = -p.grad._data if group["maximize"] else p.grad._data
                prev, step_size = state["prev"]._data, state["step_size"]._data
                sign = np.sign(grad * prev)
                factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1)).astype(step_size.dtype)
                step_size *= factor
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                # Where the sign flipped, skip this update and forget the gradient (PyTorch's Rprop-).
                grad = np.where(factor == etaminus, 0, grad).astype(grad.dtype)
                p._data -= np.sign(grad) * step_size
                prev[...] = grad
                bump(p, state["prev"], state["step_size"])
        return loss
