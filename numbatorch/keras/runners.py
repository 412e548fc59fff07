"""``StepRunner`` and ``EpochRunner``: one batch and one pass over a loader, with torchkeras 4's contract.

``KerasModel.fit``/``evaluate`` build them through the class attributes ``KerasModel.StepRunner`` and
``KerasModel.EpochRunner``, so a subclass can replace either (dict batches, several inputs, custom losses)
exactly as in torchkeras::

    StepRunner(net, loss_fn, accelerator=None, stage="train", metrics_dict=None, optimizer=None,
               lr_scheduler=None, **kwargs)(batch) -> (step_losses, step_metrics)
    EpochRunner(step_runner, quiet=False)(dataloader) -> epoch_log

``step_losses`` is ``{"<stage>_loss": float}``, ``step_metrics`` ``{"<stage>_<name>": float}`` plus ``"lr"``
in the train stage; ``epoch_log`` has the losses averaged over the steps and each metric's ``compute()``.
"""
import math

from ..autograd import no_grad
from ._progress import EpochProgress
from .accelerator import Accelerator, NonFiniteLoss

__all__ = ["StepRunner", "EpochRunner"]


class StepRunner:
    """One batch: forward and loss; with an optimizer in the train stage also backward and the update.

    The update clips gradients to the accelerator's ``max_grad_norm`` (1.0 by default, as in torchkeras),
    then steps the optimizer and the scheduler and calls ``zero_grad``.
    """

    def __init__(self, net, loss_fn, accelerator=None, stage="train", metrics_dict=None, optimizer=None,
                 lr_scheduler=None, **kwargs):
        self.net, self.loss_fn, self.metrics_dict, self.stage = net, loss_fn, metrics_dict, stage
        self.optimizer, self.lr_scheduler = optimizer, lr_scheduler
        self.kwargs = kwargs
        self.accelerator = accelerator if accelerator is not None else Accelerator(cpu=True)
        if self.stage == "train":
            self.net.train()
        else:
            self.net.eval()

    def __call__(self, batch):
        """One ``(features, labels)`` batch; returns ``(step_losses, step_metrics)``."""
        if not (isinstance(batch, (list, tuple)) and len(batch) == 2):
            raise ValueError(
                f"the default StepRunner expects each batch to be a (features, labels) pair, got "
                f"{type(batch).__name__}" + (f" of length {len(batch)}" if hasattr(batch, "__len__") else "")
                + "; override KerasModel.StepRunner for other batch layouts")
        features, labels = batch
        acc = self.accelerator
        with acc.autocast():
            preds = self.net(features)
            loss = self.loss_fn(preds, labels)

        if self.stage == "train" and self.optimizer is not None:
            acc.backward(loss)
            if acc.sync_gradients and acc.max_grad_norm is not None:
                acc.clip_grad_norm_(self.net.parameters(), acc.max_grad_norm)
            self.optimizer.step()
            if self.lr_scheduler is not None:
                self.lr_scheduler.step()
            self.optimizer.zero_grad()

        # no graph node for the logged value; under DDP the ranks' mean losses averaged (the global batch's loss)
        all_loss = acc.gather(loss.detach()).mean()
        step_losses = {self.stage + "_loss": all_loss.item()}
        step_metrics = {}
        if self.metrics_dict:
            all_preds, all_labels = acc.gather(preds), acc.gather(labels)
            with no_grad():
                step_metrics = {self.stage + "_" + name: metric_fn(all_preds, all_labels).item()
                                for name, metric_fn in self.metrics_dict.items()}
        if self.stage == "train":
            step_metrics["lr"] = self.optimizer.param_groups[0]["lr"] if self.optimizer is not None else 0.0
        return step_losses, step_metrics


class EpochRunner:
    """One pass of ``step_runner`` over a loader; returns the epoch's averaged losses and computed metrics.

    At most ``dataloader.size`` batches when the loader has that attribute; progress is shown unless ``quiet``.
    """

    def __init__(self, step_runner, quiet=False):
        self.step_runner = step_runner
        self.stage = step_runner.stage
        self.accelerator = step_runner.accelerator
        self.net = step_runner.net
        self.quiet = quiet

    def __call__(self, dataloader):
        n = getattr(dataloader, "size", None)
        if not isinstance(n, int):
            n = len(dataloader) if hasattr(dataloader, "__len__") else None
        acc = self.accelerator
        # VisProgress (torchkeras) sets EpochRunner.progress to its epoch-level display.
        progress_display = getattr(self, "progress", None) if acc.is_local_main_process else None
        bar = EpochProgress(n, f"[{self.stage}]", enabled=not self.quiet and acc.is_local_main_process)
        epoch_losses = {}
        step_log = {}
        step = 0

        def running_log():
            return dict({k: v / max(step, 1) for k, v in epoch_losses.items()},
                        **{k: v for k, v in step_log.items() if k not in epoch_losses})

        for step, batch in enumerate(dataloader, start=1):
            if n is not None and step > n:
                step -= 1
                break
            with acc.accumulate(self.net):
                try:
                    step_losses, step_metrics = self.step_runner(batch)
                except NonFiniteLoss as bad:
                    bar.close(running_log())
                    raise NonFiniteLoss(bad.value, self.stage, step) from None
            if acc.check_finite:
                for value in step_losses.values():
                    if not math.isfinite(value):
                        bar.close(running_log())
                        raise NonFiniteLoss(value, self.stage, step)
            step_log = dict(step_losses, **step_metrics)
            for k, v in step_losses.items():
                epoch_losses[k] = epoch_losses.get(k, 0.0) + v
            bar.update(step, running_log)
            if progress_display is not None:
                progress_display.set_postfix(**dict({"i": step, "n": n if n is not None else step}, **step_log))
        if step == 0:
            bar.close({})
            raise ValueError(f"the {self.stage} data yielded no batches")

        epoch_metrics = {k: v for k, v in step_log.items() if k not in epoch_losses}
        metrics_dict = self.step_runner.metrics_dict or {}
        epoch_metrics.update({self.stage + "_" + name: metric_fn.compute().item()
                              for name, metric_fn in metrics_dict.items()})
        epoch_log = dict({k: v / step for k, v in epoch_losses.items()}, **epoch_metrics)
        for metric_fn in metrics_dict.values():
            metric_fn.reset()
        bar.close(epoch_log)
        if progress_display is not None:
            progress_display.set_postfix(**dict({"i": step, "n": step}, **epoch_log))
        return epoch_log
