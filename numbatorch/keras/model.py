"""``KerasModel``: torchkeras 4's fit/evaluate loop around an ``nn.Module``, a loss function and streaming metrics.

Each epoch builds ``self.StepRunner`` and ``self.EpochRunner`` (class attributes, overridable as in torchkeras)
and an ``Accelerator`` (``self.accelerator``) that places data and accumulates gradients. As in torchkeras,
gradients are clipped to norm 1.0 by default (``clip_grad_norm=None`` turns it off) and ``plot=True`` makes
the run quiet apart from the epoch progress display and the history plot.

Differences from torchkeras, where it was weak: exact AUC/KS metrics; a NaN or infinite loss stops training
with a warning naming the stage, epoch and step (the best checkpoint is kept and restored);
``ReduceLROnPlateau`` steps once per epoch on the monitored value; progress bars that write plain lines when
stdout is a log file; no dependency on ``accelerate``.

Data-parallel: in a script launched with ``python -m numbatorch.distributed.run -n N`` (or ``mpiexec``) that
called ``numbatorch.distributed.init_process_group("mpi")``, ``fit`` and ``evaluate`` train on N ranks through
``DistributedAccelerator`` (torchkeras's ``fit_ddp``): each rank takes its share of every loader's batches,
gradients are averaged, logged losses and metrics cover the global batch on every rank. As in torchkeras only
rank 0 prints, runs the callbacks (plots, history files, TensorBoard) and writes the checkpoint; the ranks
agree on every decision to stop, so none is left waiting in a collective.
"""
import copy
import datetime
import os
import warnings

import numpy as np

from .._optional import import_optional
from .._tensor import Tensor
from ..autograd import no_grad
from ..nn.modules.container import ModuleDict
from ..nn.modules.module import Module
from ..serialization import load
from ._progress import is_interactive
from .accelerator import Accelerator, NonFiniteLoss, to_device
from .runners import EpochRunner, StepRunner

__all__ = ["KerasModel"]


def _colorful(text, color="green"):
    if not is_interactive():
        return text
    code = {"green": "32", "red": "31", "yellow": "33"}[color]
    return f"\033[0;{code};40m{text}\033[0m"


def _make_accelerator(**kwargs):
    """A ``DistributedAccelerator`` inside a process group of more than one rank, else an ``Accelerator``."""
    from .. import distributed
    if distributed.is_initialized() and distributed.get_world_size() > 1:
        from .ddp import DistributedAccelerator
        return DistributedAccelerator(**kwargs)
    return Accelerator(**kwargs)


def _any_process(acc, flag):
    """True on every rank when ``flag`` is true on any of them (one all-reduce; nothing to do on one process)."""
    if acc.num_processes == 1:
        return bool(flag)
    from .._creation import tensor
    return acc.reduce(tensor(1.0 if flag else 0.0), "sum").item() > 0


def _launched_with(num_processes, method):
    """Raise unless this process is one rank of a process group of ``num_processes`` ranks."""
    from .. import distributed
    world = distributed.get_world_size() if distributed.is_initialized() else 1
    if world != num_processes:
        raise RuntimeError(
            f"KerasModel.{method}(num_processes={num_processes}) runs in a process group of {num_processes} ranks, "
            f"but this process is {'one of ' + str(world) + ' ranks' if world > 1 else 'not in a process group'}: "
            f"call numbatorch.distributed.init_process_group('mpi') in the script and launch it with "
            f"`python -m numbatorch.distributed.run -n {num_processes} script.py`")


def _device_of(net):
    """Where ``net`` lives: the device of its first parameter or buffer (the CPU when it has none)."""
    for t in net.parameters():
        return t.device
    for t in net.buffers():
        return t.device
    from .._device import CPU
    return CPU


def _is_plateau_scheduler(scheduler):
    from ..optim.lr_scheduler import ReduceLROnPlateau
    return isinstance(scheduler, ReduceLROnPlateau)


class KerasModel(Module):
    """torchkeras's trainer: ``net`` with a loss, streaming metrics, an optimizer and callbacks.

    ``loss_fn(preds, labels)``; ``metrics_dict`` of streaming metrics; ``optimizer`` defaults to
    ``Adam(lr=3e-4)``; ``lr_scheduler`` steps after each optimizer step, as torchkeras's does. Extra keyword
    arguments are passed on to every ``StepRunner``, as in torchkeras.
    """

    StepRunner, EpochRunner = StepRunner, EpochRunner

    def __init__(self, net, loss_fn, metrics_dict=None, optimizer=None, lr_scheduler=None, **kwargs):
        super().__init__()
        self.net = net
        self.loss_fn = loss_fn
        self.metrics_dict = ModuleDict(metrics_dict)
        if optimizer is None:
            from ..optim import Adam
            optimizer = Adam(net.parameters(), lr=3e-4)
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.kwargs = kwargs
        self.from_scratch = True
        self.history = {}
        self.accelerator = Accelerator(cpu=True)
        self.quiet = self.silent = False

    @property
    def device(self):
        """Where ``net`` trains: ``str(self.accelerator.device)``."""
        return str(self.accelerator.device)

    def forward(self, x):
        """``net(x)``."""
        return self.net(x)

    # ---- checkpoints --------------------------------------------------------------------------------------
    def save_ckpt(self, ckpt_path=None, accelerator=None):
        """Save ``net``'s state dict, unwrapped from DDP, on the main process only (atomically: ``save`` writes a
        temporary file and renames it)."""
        acc = accelerator if accelerator is not None else self.accelerator
        path = ckpt_path if ckpt_path is not None else self.ckpt_path
        if acc.is_main_process:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        acc.save(acc.get_state_dict(self.net), path)

    def load_ckpt(self, ckpt_path=None):
        """Load ``net``'s weights; the next ``fit`` then starts with an evaluation-only epoch 0, like torchkeras."""
        path = ckpt_path if ckpt_path is not None else self.ckpt_path
        self.net.load_state_dict(load(path, map_location="cpu", weights_only=True))
        self.from_scratch = False

    # ---- training -----------------------------------------------------------------------------------------
    def fit(self, train_data, val_data=None, epochs=10, ckpt_path="checkpoint", patience=5, monitor="val_loss",
            mode="min", callbacks=None, plot=True, wandb=False, mixed_precision="no", cpu=False,
            gradient_accumulation_steps=1, quiet=None, clip_grad_norm=1.0):
        """Train for up to ``epochs`` epochs; returns the history as a pandas DataFrame.

        Its columns are ``epoch, train_loss, train_<metric>..., lr, val_loss, val_<metric>...``. The arguments up
        to ``gradient_accumulation_steps`` are torchkeras 4's, in its order; ``quiet`` and ``clip_grad_norm``
        are numbatorch's.

        The best weights by ``monitor``/``mode`` are checkpointed to ``ckpt_path`` and restored at the end;
        training stops after ``patience`` epochs without improvement, when a callback sets
        ``model.stop_training``, or at a non-finite loss. ``plot=True`` keeps ``history.png`` (next to the
        checkpoint) up to date and shows one progress display over the epochs (``VisProgress``).
        ``quiet=None`` follows torchkeras (quiet when plotting); ``quiet=True`` prints nothing at all,
        ``quiet=False`` prints the epoch banners and per-stage progress. Gradients are clipped to
        ``clip_grad_norm`` (torchkeras's 1.0 by default; ``None``: no clipping). A loader with an integer
        ``size`` attribute runs at most that many steps per epoch (torchkeras's convention).
        """
        pd = import_optional("pandas", "keras", "KerasModel.fit's history")

        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if wandb:
            raise NotImplementedError("wandb logging is not supported; use callbacks=[TensorBoard()]")
        self.accelerator = _make_accelerator(mixed_precision=mixed_precision, cpu=cpu,
                                             gradient_accumulation_steps=gradient_accumulation_steps,
                                             max_grad_norm=clip_grad_norm, check_finite=True)
        show_epochs = quiet is None and bool(plot)
        quiet = bool(plot) if quiet is None else bool(quiet)
        if not self.accelerator.is_main_process:  # the other ranks show nothing
            show_epochs, quiet = False, True
        self.epochs, self.ckpt_path, self.patience = epochs, ckpt_path, patience
        self.monitor, self.mode, self.quiet, self.cpu = monitor, mode, quiet, cpu
        self.silent = quiet and not show_epochs  # quiet=True given: not even the plot's path is printed
        self.gradient_accumulation_steps, self.clip_grad_norm = gradient_accumulation_steps, clip_grad_norm
        self.mixed_precision = mixed_precision
        self.stop_training = False
        self.stop_reason = None
        acc = self.accelerator
        self._say(_colorful(f"<<<<<< {'🐌' if self.device == 'cpu' else '⚡️'} {self.device} is used >>>>>>"))
        self.net, self.loss_fn, self.metrics_dict = acc.prepare(self.net, self.loss_fn, self.metrics_dict)
        optimizer, lr_scheduler = acc.prepare(self.optimizer, self.lr_scheduler)
        plateau = _is_plateau_scheduler(self.lr_scheduler)
        train_loader, val_loader = acc.prepare_data_loader(train_data), acc.prepare_data_loader(val_data)
        for key in self.kwargs:  # extra StepRunner arguments (torchkeras prepares them too)
            self.kwargs[key] = acc.prepare(self.kwargs[key])

        self.history = {}
        callbacks = list(callbacks) if callbacks is not None else []
        if plot:
            from ._plot import VisMetric
            from ._vis_progress import VisProgress
            vis = [VisMetric(save_path=os.path.join(os.path.dirname(ckpt_path), "history.png"))]
            if show_epochs:
                vis.append(VisProgress())
            callbacks = vis + callbacks
        self.callbacks = callbacks
        self._call_back("on_fit_start")

        ckpt_saved = False
        early_stopped = False
        epoch = start_epoch = 1 if self.from_scratch else 0
        try:
            for epoch in range(start_epoch, epochs + 1):
                if not quiet:
                    nowtime = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
                    print("\n" + "==========" * 8 + nowtime)
                    print(f"Epoch {epoch} / {epochs}\n")
                try:
                    train_runner = self.EpochRunner(self.StepRunner(
                        net=self.net, loss_fn=self.loss_fn, accelerator=acc, stage="train",
                        metrics_dict=self._fresh_metrics(), optimizer=optimizer if epoch > 0 else None,
                        lr_scheduler=lr_scheduler if epoch > 0 and not plateau else None, **self.kwargs), quiet)
                    logs = {"epoch": epoch}
                    if epoch > 0:
                        logs.update(train_runner(train_loader))
                    else:  # epoch 0 after load_ckpt only measures the restored weights
                        with no_grad():
                            logs.update(train_runner(train_loader))
                    self._record(logs)
                    self._call_back("on_train_epoch_end")
                    if val_loader is not None:
                        val_runner = self.EpochRunner(self.StepRunner(
                            net=self.net, loss_fn=self.loss_fn, accelerator=acc, stage="val",
                            metrics_dict=self._fresh_metrics(), **self.kwargs), quiet)
                        with no_grad():
                            self._record(val_runner(val_loader))
                except NonFiniteLoss as bad:  # every rank sees it: losses are gathered, backward agrees first
                    self._stop_on_nonfinite(bad, epoch, ckpt_saved)
                    break
                self._call_back("on_validation_epoch_end")
                # callbacks ran on rank 0 only: all ranks stop if it asked to
                self.stop_training = _any_process(acc, self.stop_training)

                scores = self._monitored_scores()
                if plateau and epoch > 0:
                    self.lr_scheduler.step(scores[-1])
                best = self._best_index(scores)
                if best is not None and best == len(scores) - 1:
                    self.save_ckpt(ckpt_path, acc)
                    ckpt_saved = True
                    self._say(_colorful(f"<<<<<< reach best {monitor} : {scores[best]} >>>>>>"))
                if len(scores) - (best if best is not None else -1) > patience:
                    early_stopped = True
                    break
                if self.stop_training:
                    break
        finally:
            self.net.zero_grad()  # an interrupted accumulation leaves no stale gradients behind
            self.net = acc.unwrap_model(self.net)

        dfhistory = pd.DataFrame(self.history)
        self._call_back("on_fit_end")
        if early_stopped:
            self._say(_colorful(f"<<<<<< {monitor} without improvement in {patience} epoch,early stopping >>>>>> \n",
                                "red"))
        if self.device != "cpu":
            self.net.cpu()
        if ckpt_saved:
            acc.wait_for_everyone()  # rank 0 has finished writing the checkpoint
            self.load_ckpt(ckpt_path)
        elif self.history and acc.is_main_process:
            warnings.warn(f"no finite {monitor} was reached, so no checkpoint was saved and the final weights "
                          f"are kept", RuntimeWarning, stacklevel=2)
        return dfhistory

    def evaluate(self, val_data, quiet=False):
        """One pass over ``val_data`` without gradients; returns ``{'val_loss': ..., 'val_<metric>': ...}``.

        In a process group the ranks share the batches and all return the values of the whole data.
        """
        acc = _make_accelerator(cpu=self.device == "cpu")
        self.net, self.loss_fn = acc.prepare(self.net, self.loss_fn)
        try:
            runner = self.EpochRunner(self.StepRunner(
                net=self.net, loss_fn=self.loss_fn, accelerator=acc, stage="val",
                metrics_dict=self._fresh_metrics(), **self.kwargs), quiet=quiet or not acc.is_main_process)
            with no_grad():
                return runner(acc.prepare_data_loader(val_data))
        finally:
            self.net = acc.unwrap_model(self.net)

    def fit_ddp(self, num_processes, train_data, val_data=None, **kwargs):
        """torchkeras's ``fit_ddp``: ``fit`` (same keyword arguments) on ``num_processes`` ranks.

        numbatorch does not start processes from inside a running one: launch the script with
        ``python -m numbatorch.distributed.run -n num_processes script.py`` after
        ``numbatorch.distributed.init_process_group("mpi")``; a RuntimeError says so otherwise.
        """
        _launched_with(num_processes, "fit_ddp")
        return self.fit(train_data, val_data, **kwargs)

    def evaluate_ddp(self, num_processes, val_data, quiet=False):
        """torchkeras's ``evaluate_ddp``: ``evaluate`` on ``num_processes`` ranks (launched as for ``fit_ddp``)."""
        _launched_with(num_processes, "evaluate_ddp")
        return self.evaluate(val_data, quiet=quiet)

    def predict(self, data):
        """Concatenated outputs of ``net`` (eval mode, no grad) over a tensor or an iterable of batches.

        A batch is the features, or a tuple/list whose first item is; it is moved to the device of ``net``'s
        parameters (``fit`` hands the model back on the CPU, ``model.to(device)`` moves it).
        """
        from .. import cat
        self.net.eval()
        device = _device_of(self.net)
        with no_grad():
            if isinstance(data, Tensor):
                return self.net(to_device(data, device))
            outputs = []
            for batch in data:
                features = batch[0] if isinstance(batch, (list, tuple)) else batch
                outputs.append(self.net(to_device(features, device)))
        if not outputs:
            raise ValueError("predict: data yielded no batches")
        return cat(outputs, dim=0)

    # ---- internals ----------------------------------------------------------------------------------------
    def _say(self, text):
        if not self.quiet:
            print(text)  # fit makes the ranks other than 0 quiet

    def _fresh_metrics(self):
        metrics = copy.deepcopy(self.metrics_dict)
        for m in metrics.values():
            m.reset()
        return metrics

    def _call_back(self, hook):
        if not self.accelerator.is_main_process:  # torchkeras runs callbacks on the main process only
            return
        for cb in self.callbacks:
            fn = getattr(cb, hook, None)
            if fn is not None:
                fn(model=self)

    def _record(self, logs):
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def _monitored_scores(self):
        if self.monitor not in self.history:
            raise KeyError(f"monitor {self.monitor!r} is not among the logged values {list(self.history)}; "
                           f"pass val_data or monitor one of those")
        return self.history[self.monitor]

    def _best_index(self, scores):
        arr = np.asarray(scores, dtype=np.float64)
        if np.all(np.isnan(arr)):
            return None
        return int(np.nanargmax(arr) if self.mode == "max" else np.nanargmin(arr))

    def _stop_on_nonfinite(self, bad, epoch, ckpt_saved):
        kept = (f"the best checkpoint ({self.ckpt_path!r}) is restored" if ckpt_saved
                else "no checkpoint had been saved yet, so the weights are those before that step")
        self.stop_reason = (f"<<<<<< {bad.stage} loss is {bad.value} at epoch {epoch}, step {bad.step}: "
                            f"training stopped; {kept} >>>>>>")
        if self.accelerator.is_main_process:
            warnings.warn(self.stop_reason, RuntimeWarning, stacklevel=3)
