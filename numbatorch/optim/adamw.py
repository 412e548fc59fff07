"""AdamW: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the update)."""
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before each Adam step.

    Args:
        params: an iterable of parameters, or of dicts defining parameter groups (per-group options override these).
        lr: learning rate. Default: ``1e-3``.
        betas: decay rates of the running averages of the gradient and its square. Default: ``(0.9, 0.999)``.
        eps: added to the denominator for numerical stability. Default: ``1e-8``.
        weight_decay: the decoupled decay coefficient. Default: ``1e-2``.
        amsgrad: use the maximum of the past squared-gradient averages (AMSGrad). Default: ``False``.
        maximize: maximise the objective instead of minimising it. Default: ``False``.
        foreach, capturable, differentiable, fused: accepted and kept in the param groups for PyTorch compatibility;
            they do not change the update.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
