"""ASGD: stochastic gradient descent with a decaying step and a running (Polyak) average of the parameters."""
from .optimizer import Optimizer, as_float, bump, check_hypers, scalar_tensor, update_grad, zeros_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """PyTorch's ``ASGD`` (averaged SGD); the average of each parameter is ``state[p]["ax"]``.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr: learning rate. Default: ``1e-2``.
        lambd: decay term. Default: ``1e-4``.
        alpha: power of the learning-rate decay ``lr / (1 + lambd * lr * step) ** alpha``. Default: ``0.75``.
        t0: the step from which averaging starts. Default: ``1e6``.
        weight_decay: L2 penalty. Default: ``0``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, differentiable, capturable: accepted for PyTorch compatibility; they do not change the update.
    """

    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_hypers(lr=lr, weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One ASGD update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = as_float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    # on the parameter's device, as PyTorch's ASGD keeps them
                    state["step"] = scalar_tensor(0.0, like=p)
                    state["eta"] = scalar_tensor(lr, like=p)
                    state["mu"] = scalar_tensor(1.0, like=p)
                    state["ax"] = zeros_state(p)
                step = self._state_step(state)
                param, ax = p._data, state["ax"]._data
                grad = update_grad(param, p.grad._data, group["maximize"], group["weight_decay"])
                # eta and mu are stored as 0-d tensors of the default dtype, so they are rounded like PyTorch's.
                eta = state["eta"]._data.item()
                param *= 1 - lambd * eta
                param -= eta * grad
                mu = state["mu"]._data.item()
                if mu != 1:
                    ax += (param - ax) * mu
                else:
                    ax[...] = param
                state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                state["mu"]._data[...] = 1 / max(1, step - t0)
                bump(p, state["ax"], state["eta"], state["mu"])
        return loss
