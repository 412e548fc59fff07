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
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._param_state(p, group["amsgrad"]) for p in params]
            steps = [self._state_step(state) for state in states]
            if not group["amsgrad"] and steps and steps.count(steps[0]) == len(steps):
                self._update_group(group, params, states, steps[0])
                continue
            for p, state, step in zip(params, states, steps):
                self._update_param(group, p, state, step)
        return loss

    def _param_state(self, p, amsgrad):
        """The state of parameter ``p``, zero moments and step on its first update."""
        state = self.state[p]
        if not state:
            state["step"] = scalar_tensor(0.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
            if amsgrad:
                state["max_exp_avg_sq"] = zeros_state(p)
        return state

    def _update_group(self, group, params, states, step):
        """Update ``params``, all at ``step``, through the fused kernel in one pass (foreach-style): the scalars are
        computed once; a parameter the kernel declines takes ``_update_param``'s numpy formula."""
        beta1, beta2, lr, eps, bias_correction2_sqrt, step_size = _step_scalars(group, step)
        maximize, weight_decay, decoupled = group["maximize"], group["weight_decay"], group["decoupled_weight_decay"]
        arrays = [p._data for p in params]
        grads = [p.grad._data for p in params]
        if maximize or weight_decay != 0:
            grads = [update_grad(a, g, maximize, weight_decay, decoupled, lr) for a, g in zip(arrays, grads)]
        exp_avgs = [state["exp_avg"]._data for state in states]
        exp_avg_sqs = [state["exp_avg_sq"]._data for state in states]
        declined = optim_kernels.adam_update_group(arrays, grads, exp_avgs, exp_avg_sqs, beta1, beta2, step_size,
                                                   bias_correction2_sqrt, eps)
        for i in declined:
            _numpy_update(arrays[i], grads[i], exp_avgs[i], exp_avg_sqs[i], None, beta1, beta2, step_size,
                          bias_correction2_sqrt, eps)
        for p, state in zip(params, states):
            bump(p, state["exp_avg"], state["exp_avg_sq"])

    def _update_param(self, group, p, state, step):
        """Update one parameter at its own ``step``: the fused kernel where it applies, else numpy passes."""
        beta1, beta2, lr, eps, bias_correction2_sqrt, step_size = _step_scalars(group, step)
        amsgrad = group["amsgrad"]
        param, exp_avg, exp_avg_sq = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
        grad = update_grad(param, p.grad._data, group["maximize"], group["weight_decay"],
                           group["decoupled_weight_decay"], lr)
        if amsgrad or not optim_kernels.adam_update(param, grad, exp_avg, exp_avg_sq, beta1, beta2, step_size,
                                                    bias_correction2_sqrt, eps):
            max_sq = state["max_exp_avg_sq"] if amsgrad else None
            _numpy_update(param, grad, exp_avg, exp_avg_sq, max_sq, beta1, beta2, step_size, bias_correction2_sqrt,
                          eps)
            if amsgrad:
                bump(max_sq)
        bump(p, state["exp_avg"], state["exp_avg_sq"])


def _step_scalars(group, step):
    """``beta1, beta2, lr, eps, sqrt(1 - beta2 ** step), lr / (1 - beta1 ** step)`` as Python floats."""
    beta1, beta2 = (as_float(b) for b in group["betas"])
    lr = as_float(group["lr"])
    return beta1, beta2, lr, group["eps"], (1 - beta2 ** step) ** 0.5, lr / (1 - beta1 ** step)


def _numpy_update(param, grad, exp_avg, exp_avg_sq, max_sq, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """Adam's update as numpy passes, for what the fused kernel does not take (AMSGrad with ``max_sq``'s tensor,
    half precision, strided arrays)."""
    lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
    if max_sq is not None:
        np.maximum(max_sq._data, exp_avg_sq, out=max_sq._data)
        denom = np.sqrt(max_sq._data) / bias_correction2_sqrt
    else:
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt
    denom += eps
    param += (-step_size * exp_avg) / denom
