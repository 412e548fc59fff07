"""Stochastic weight averaging and EMA: ``AveragedModel``, ``SWALR``, ``update_bn`` and the averaging functions."""
import copy
import itertools
import math
import warnings

from .._creation import tensor
from .. import _dtype as dt
from ..autograd import grad_mode
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from .lr_scheduler.scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_avg_fn(decay=0.999):
    """``avg_fn`` of an exponential moving average: ``decay * averaged + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with grad_mode.no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """``avg_fn`` of the equally weighted (SWA) average: ``averaged + (current - averaged) / (n + 1)``."""
    def swa_update(averaged_param, current_param, num_averaged):
        with grad_mode.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def get_ema_multi_avg_fn(decay=0.999):
    """``multi_avg_fn`` of an exponential moving average, updating a list of parameters in place."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with grad_mode.no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                if p_ema.is_floating_point():
                    p_ema.lerp_(p_model, 1 - decay)
                else:
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """``multi_avg_fn`` of the equally weighted (SWA) average, updating a list of parameters in place."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with grad_mode.no_grad():
            n = num_averaged.item() if hasattr(num_averaged, "item") else num_averaged
            # PyTorch divides by the count tensor: the weight is 1 / (n + 1) rounded to the default dtype.
            one = dt.get_default_dtype().np.type(1)
            weight = float(one / (n + 1)) if hasattr(num_averaged, "item") else 1 / (n + 1)
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                if p_avg.is_floating_point():
                    p_avg.lerp_(p_model, weight)
                else:
                    p_avg.add_((p_model - p_avg) / (n + 1))
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the running average (SWA by default, or ``avg_fn`` /
    ``multi_avg_fn``, e.g. EMA) of the ones passed to ``update_parameters``; calling it runs the copy.

    Args:
        model: the model to average.
        device: where the averaged copy lives (default: where ``model`` is); the parameters folded in are
            copied there.
        avg_fn: ``(averaged, current, n_averaged) -> new averaged`` for one parameter. Default: SWA.
        multi_avg_fn: ``(averaged_list, current_list, n_averaged)`` updating the lists in place.
        use_buffers: average the buffers too (else they are copied from ``model``). Default: ``False``.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=dt.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers with ``use_buffers``) into the average."""
        if self.use_buffers:
            own = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            own, theirs = list(self.parameters()), list(model.parameters())
        own = [p.detach() for p in own]
        theirs = [p.detach().to(a.device) for p, a in zip(theirs, own)]
        with grad_mode.no_grad():
            if int(self.n_averaged.item()) == 0:
                for p_avg, p_model in zip(own, theirs):
                    p_avg.copy_(p_model)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(own, theirs, self.n_averaged)
            else:
                avg_fn = self.avg_fn or get_swa_avg_fn()
                for p_avg, p_model in zip(own, theirs):
                    p_avg.copy_(avg_fn(p_avg, p_model, self.n_averaged))
            if not self.use_buffers:
                # Buffers are not averaged: keep them in sync with the source model.
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.detach().copy_(b_model.detach().to(b_swa.device))
            self.n_averaged += 1


def update_bn(loader, model, device=None):
    """One pass over ``loader`` to recompute the BatchNorm running statistics of ``model`` (a cumulative
    average over the batches); each batch is a tensor or a list/tuple whose first element is the input."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with grad_mode.no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's learning rate to ``swa_lr`` over ``anneal_epochs`` epochs ('cos' or 'linear'),
    then keeps it there.

    Args:
        optimizer: the wrapped optimizer.
        swa_lr: the target learning rate, one for all groups or one per group.
        anneal_epochs: length of the annealing phase. Default: ``10``.
        anneal_strategy: ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        last_epoch: the index of the last epoch. Default: ``-1``.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups,
                                                                               prev_lrs)]
