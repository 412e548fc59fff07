"""Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""
from .optimizer import Optimizer, as_float, bump, check_hypers, update_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, dampening, Nesterov momentum and weight decay.

    With momentum ``mu`` the buffer is ``b = mu * b + (1 - dampening) * g`` (``b = g`` at the first step) and the
    step ``p -= lr * b``, or ``p -= lr * (g + mu * b)`` with Nesterov; PyTorch's formulation, in which ``lr``
    multiplies the buffer rather than the gradient.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-3``.
        momentum: momentum factor. Default: ``0``.
        dampening: dampening of the gradient's contribution to the momentum. Default: ``0``.
        weight_decay: L2 penalty, added to the gradient as ``weight_decay * p``. Default: ``0``.
        nesterov: use Nesterov momentum (needs a momentum and zero dampening). Default: ``False``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, differentiable, fused: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.

    Examples::

        >>> optimizer = optim.SGD(model.parameters(), lr=0.1)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(input), target).backward()
        >>> optimizer.step()
    """

    # Flags older pickles may lack; __setstate__ fills them in (PyTorch's order).
    _group_defaults = {"nesterov": False, "maximize": False, "foreach": None, "differentiable": False, "fused": False}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        check_hypers(lr=lr, momentum=momentum, weight_decay=weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, momentum = as_float(group["lr"]), group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p._data
                grad = update_grad(param, p.grad._data, maximize, weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = p.grad._make(grad.copy())
                    else:
                        buf._data *= momentum
                        buf._data += (1 - dampening) * grad
                        bump(buf)
                    grad = grad + momentum * buf._data if nesterov else buf._data
                param += -lr * grad
                bump(p)
        return loss
