"""``Accelerator``: the single-process part of Hugging Face accelerate's ``Accelerator`` that torchkeras's
``StepRunner``/``EpochRunner`` call, so runners written for torchkeras run unchanged.

``prepare`` moves modules to ``device`` and wraps optimizers, schedulers and data loaders the way accelerate
does: inside ``accumulate(model)`` the optimizer and scheduler only step (and ``zero_grad`` only clears) on the
steps where ``sync_gradients`` is True, i.e. every ``gradient_accumulation_steps``-th batch and the last batch
of the loader; ``backward`` divides the loss by ``gradient_accumulation_steps``. ``max_grad_norm`` (not in
accelerate) is the norm the default ``StepRunner`` clips to, ``None`` for no clipping (``fit``'s
``clip_grad_norm``). With ``check_finite`` (set by ``fit``), ``backward`` refuses a NaN or infinite loss
before it reaches the gradients.
"""
import contextlib
import math

from .._device import device as _device
from .._tensor import Tensor
from ..nn.modules.module import Module
from ..optim.lr_scheduler import LRScheduler
from ..optim.optimizer import Optimizer

__all__ = ["Accelerator"]


class NonFiniteLoss(Exception):
    """A NaN or infinite loss value; ``EpochRunner`` adds the stage and step it happened at."""

    def __init__(self, value, stage=None, step=None):
        super().__init__(value, stage, step)
        self.value, self.stage, self.step = value, stage, step


def to_device(obj, device):
    """``obj`` (a tensor or nested lists/tuples/dicts of tensors) with every tensor moved to ``device``."""
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, to_device(v, device)) for k, v in obj.items())
    return obj


def _delegate(wrapper, inner, name):
    """``getattr(wrapper.<inner>, name)``; an AttributeError while ``inner`` is not set yet (copy, pickle)."""
    try:
        target = vars(wrapper)[inner]
    except KeyError:
        raise AttributeError(name) from None
    return getattr(target, name)


class AcceleratedOptimizer:
    """An optimizer whose ``step``/``zero_grad`` act only when the accelerator syncs gradients."""

    def __init__(self, optimizer, accelerator):
        self.optimizer = optimizer
        self.accelerator = accelerator

    def step(self, closure=None):
        if self.accelerator.sync_gradients:
            return self.optimizer.step(closure) if closure is not None else self.optimizer.step()
        return None

    def zero_grad(self, set_to_none=True):
        if self.accelerator.sync_gradients:
            self.optimizer.zero_grad(set_to_none=set_to_none)

    def __getattr__(self, name):
        # param_groups, state, state_dict, load_state_dict, ...: those of the wrapped optimizer.
        return _delegate(self, "optimizer", name)


class AcceleratedScheduler:
    """A learning-rate scheduler that steps only when the accelerator syncs gradients."""

    def __init__(self, scheduler, accelerator):
        self.scheduler = scheduler
        self.accelerator = accelerator

    def step(self, *args, **kwargs):
        if self.accelerator.sync_gradients:
            self.scheduler.step(*args, **kwargs)

    def __getattr__(self, name):
        return _delegate(self, "scheduler", name)


class PreparedDataLoader:
    """Iterates ``loader`` (at most ``size`` batches), moving each batch to the accelerator's device and
    telling it which batch is the last one (one batch of look-ahead), as accelerate's prepared loaders do."""

    def __init__(self, loader, accelerator):
        self.loader = loader
        self.accelerator = accelerator
        size = getattr(loader, "size", None)
        length = len(loader) if hasattr(loader, "__len__") else None
        if not isinstance(size, int):
            size = length
        elif length is not None:
            size = min(size, length)
        self.size = size

    def __len__(self):
        if self.size is None:
            raise TypeError(f"{type(self.loader).__name__} has no len(); give it an integer 'size' attribute")
        return self.size

    def __iter__(self):
        acc = self.accelerator
        device = acc.device
        move = device.type != "cpu"
        acc.end_of_dataloader = False
        if self.size == 0:
            return
        iterator = iter(self.loader)
        try:
            batch = next(iterator)
        except StopIteration:
            return
        count = 1
        while True:
            nxt = None
            last = self.size is not None and count >= self.size
            if not last:
                try:
                    nxt = next(iterator)
                except StopIteration:
                    last = True
            acc.end_of_dataloader = last
            yield to_device(batch, device) if move else batch
            if last:
                return
            batch, count = nxt, count + 1

    def __getattr__(self, name):
        return _delegate(self, "loader", name)


class Accelerator:
    """Device placement, gradient accumulation, clipping and (single-process) gathering for ``KerasModel``."""

    def __init__(self, mixed_precision="no", cpu=False, gradient_accumulation_steps=1, max_grad_norm=1.0,
                 check_finite=False):
        if mixed_precision not in ("no", None, False):
            raise NotImplementedError(f"mixed_precision={mixed_precision!r} is not supported: numbatorch trains in "
                                      f"the parameters' dtype; use mixed_precision='no'")
        if not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 1:
            raise ValueError(f"gradient_accumulation_steps must be a positive integer, got "
                             f"{gradient_accumulation_steps!r}")
        if max_grad_norm is not None and not max_grad_norm > 0:
            raise ValueError(f"clip_grad_norm must be a positive number or None, got {max_grad_norm!r}")
        from .. import cuda
        self.device = _device("cuda" if not cpu and cuda.is_available() else "cpu")
        self.mixed_precision = "no"
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.max_grad_norm = max_grad_norm
        self.check_finite = check_finite
        self.sync_gradients = True
        self.end_of_dataloader = False
        self.step = 0
        self.num_processes = 1
        self.process_index = self.local_process_index = 0
        self.is_main_process = self.is_local_main_process = self.is_last_process = True

    # ---- what torchkeras's runners call ---------------------------------------------------------------------
    def prepare(self, *objects):
        """Each object ready for training; one object alone, several as a tuple.

        Modules go to ``device``; optimizers, schedulers and DataLoaders are wrapped; anything else is unchanged.
        """
        prepared = tuple(self._prepare_one(obj) for obj in objects)
        return prepared[0] if len(prepared) == 1 else prepared

    def _prepare_one(self, obj):
        if isinstance(obj, AcceleratedOptimizer):  # prepared by an earlier fit: rebind to this accelerator
            obj = obj.optimizer
        elif isinstance(obj, AcceleratedScheduler):
            obj = obj.scheduler
        if isinstance(obj, Module):
            return obj.to(self.device)
        if isinstance(obj, Optimizer):
            return AcceleratedOptimizer(obj, self)
        if isinstance(obj, LRScheduler):
            return AcceleratedScheduler(obj, self)
        from ..utils.data import DataLoader
        if isinstance(obj, DataLoader):
            return PreparedDataLoader(obj, self)
        return obj

    def prepare_data_loader(self, data_loader):
        """Any iterable of batches (a DataLoader, a list, a generator) wrapped as ``prepare`` wraps a DataLoader.

        ``None`` stays ``None``.
        """
        return None if data_loader is None else PreparedDataLoader(data_loader, self)

    @contextlib.contextmanager
    def accumulate(self, *models):
        """Context of one batch; sets ``sync_gradients`` for it.

        True on every ``gradient_accumulation_steps``-th batch and on the loader's last batch.
        """
        self.step += 1
        sync = self.end_of_dataloader or self.step % self.gradient_accumulation_steps == 0
        if self.end_of_dataloader:
            self.step = 0
        self.sync_gradients = sync
        try:
            yield
        finally:
            self.sync_gradients = True

    def autocast(self, *args, **kwargs):
        """Mixed precision is not supported, so this changes nothing."""
        return contextlib.nullcontext()

    def backward(self, loss, **kwargs):
        """``loss.backward()``, scaled by ``1 / gradient_accumulation_steps``.

        With ``check_finite``, a NaN or infinite loss raises before anything reaches the gradients.
        """
        if self.check_finite:
            value = float(loss.item())
            if not math.isfinite(value):
                raise NonFiniteLoss(value)
        if self.gradient_accumulation_steps > 1:
            loss = loss / self.gradient_accumulation_steps
        loss.backward(**kwargs)

    def clip_grad_norm_(self, parameters, max_norm, norm_type=2):
        """``nn.utils.clip_grad_norm_``; returns the total norm before clipping."""
        from ..nn.utils.clip_grad import clip_grad_norm_
        return clip_grad_norm_(parameters, max_norm, norm_type=norm_type)

    def clip_grad_value_(self, parameters, clip_value):
        """``nn.utils.clip_grad_value_``."""
        from ..nn.utils.clip_grad import clip_grad_value_
        return clip_grad_value_(parameters, clip_value)

    def gather(self, tensor):
        """One process: the tensor itself."""
        return tensor

    gather_for_metrics = gather

    def reduce(self, tensor, reduction="sum"):
        """One process: the tensor itself."""
        return tensor

    def unwrap_model(self, model):
        """One process: the model itself."""
        return model

    def get_state_dict(self, model):
        """``model.state_dict()``."""
        return model.state_dict()

    def save(self, obj, f):
        """``numbatorch.save`` (atomic: a temporary file renamed into place)."""
        from ..serialization import save
        save(obj, f)

    def wait_for_everyone(self):
        """One process: nothing to wait for."""

    def print(self, *args, **kwargs):
        """``print`` (on the main process, which is the only one)."""
        print(*args, **kwargs)

    def __repr__(self):
        return (f"Accelerator(device={self.device}, gradient_accumulation_steps={self.gradient_accumulation_steps}, "
                f"max_grad_norm={self.max_grad_norm})")
