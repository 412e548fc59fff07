"""RMSprop (optionally centered, with momentum)."""
import numpy as np

from .optimizer import Optimizer, addcmul_, as_float, bump, check_hypers, lerp_, scalar_tensor, update_grad, zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divides the gradient by a running root mean square of recent gradients.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-2``.
        alpha: smoothing constant of the running average of squared gradients. Default: ``0.99``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        momentum: momentum factor. Default: ``0``.
        centered: normalise by an estimate of the gradient's variance (subtracting the squared mean gradient).
            Default: ``False``.
        capturable, foreach: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        differentiable: accepted and kept in the param groups for PyTorch compatibility;
            it does not change the update.
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False, "differentiable": False,
                       "capturable": False}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_hypers(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One RMSprop update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = as_float(group["lr"]), group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = scalar_tensor(0.0)
                    state["square_avg"] = zeros_state(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_state(p)
                    if centered:
                        state["grad_avg"] = zeros_state(p)
                self._state_step(state)
                param, grad = p._data, p.grad._data
                square_avg = state["square_avg"]._data
                grad = update_grad(param, grad, maximize, weight_decay)
                square_avg *= alpha
                addcmul_(square_avg, grad, grad, 1 - alpha)
                bump(state["square_avg"])
                if centered:
                    grad_avg = state["grad_avg"]._data
                    lerp_(grad_avg, grad, 1 - alpha)
                    bump(state["grad_avg"])
                    avg = np.sqrt(square_avg + (-1 * grad_avg) * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf._data *= momentum
                    buf._data += grad / avg
                    bump(buf)
                    param += -lr * buf._data
                else:
                    param += (-lr * grad) / avg
                bump(p)
        return loss
