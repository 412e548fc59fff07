"""``SyncBatchNorm``: batch norm whose statistics cover the whole batch of every rank of a process group.

Forward gathers each rank's per-channel (mean, biased variance, count) and combines them (Chan's parallel
formula, stable where sum-of-squares is not); backward all-reduces the two per-channel sums the input
gradient needs. The weight and bias gradients stay local, so DistributedDataParallel's averaging makes them
those of the loss averaged over the global batch, as in PyTorch.
"""
import numpy as np

from ... import _tensor
from ...autograd.function import Function
from ...backends import kernel_family
from ...distributed import _mpi, distributed_c10d
from ..functional.batchnorm import batch_norm
from .batchnorm import _BatchNorm

K = kernel_family("norm")

__all__ = ["SyncBatchNorm"]


def _channel_view(x):
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def _global_stats(x3, pg):
    """(mean, biased var, count) per channel over every rank's batch, in float64."""
    count = x3.shape[0] * x3.shape[2]
    C = x3.shape[1]
    local = np.zeros((3, C), dtype=np.float64)
    if count:
        local[0] = np.mean(x3, axis=(0, 2), dtype=np.float64)
        local[1] = np.var(x3, axis=(0, 2), dtype=np.float64)
    local[2] = count
    every = np.empty((pg.size(), 3, C), dtype=np.float64)
    pg._comm.Allgather(local, every)
    counts = every[:, 2]
    total = counts.sum(axis=0)
    mean = (counts * every[:, 0]).sum(axis=0) / total
    var = (counts * (every[:, 1] + (every[:, 0] - mean) ** 2)).sum(axis=0) / total
    return mean, var, total[0]


class SyncBatchNormFunction(Function):
    """Batch norm in training mode over the union of the ranks' batches."""

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, eps, momentum, pg):
        x = input._data
        x3 = _channel_view(x)
        mean, var, total = _global_stats(x3, pg)
        if total <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{list(x.shape)} on every rank together")
        w = None if weight is None else weight._data
        y, _, invstd = K.batch_norm_forward(x, w, None if bias is None else bias._data, mean, var, False, eps)
        if momentum is not None:
            for running, stat in ((running_mean, mean), (running_var, var * total / (total - 1))):
                if running is not None:
                    running._data[...] = (1.0 - momentum) * running._data + momentum * stat
                    running._version_counter[0] += 1
        ctx.saved = (x3, w, mean, invstd, total, pg, x.shape)
        return _tensor.Tensor._make(y)

    @staticmethod
    def backward(ctx, grad_output):
        x3, w, mean, invstd, total, pg, shape = ctx.saved
        gy = np.ascontiguousarray(grad_output._data, dtype=x3.dtype).reshape(x3.shape)
        xmu = x3 - mean[None, :, None].astype(x3.dtype)
        sums = np.stack([np.sum(gy, axis=(0, 2), dtype=np.float64),
                         np.sum(gy * xmu, axis=(0, 2), dtype=np.float64)])
        grad_weight = grad_bias = None
        if w is not None and ctx.needs_input_grad[1]:
            grad_weight = _tensor.Tensor._make((sums[1] * invstd).astype(x3.dtype))
        if ctx.needs_input_grad[2]:
            grad_bias = _tensor.Tensor._make(sums[0].astype(x3.dtype))
        # every rank joins the all-reduce, even one whose input needs no gradient
        pg._comm.Allreduce(_mpi.mpi().IN_PLACE, sums, _mpi.mpi().SUM)
        grad_input = None
        if ctx.needs_input_grad[0]:
            mean_dy = (sums[0] / total)[None, :, None]
            mean_dy_xmu = (sums[1] / total * invstd ** 2)[None, :, None]
            scale = (invstd if w is None else invstd * w)[None, :, None]
            gx = (gy - mean_dy - xmu * mean_dy_xmu) * scale
            grad_input = _tensor.Tensor._make(gx.astype(x3.dtype).reshape(shape))
        return grad_input, grad_weight, grad_bias, None, None, None, None, None


class SyncBatchNorm(_BatchNorm):
    """Batch norm over ``(N, C, *)`` whose training statistics span every rank of ``process_group``.

    Without an initialised process group, in eval mode, or with one rank, it is plain batch norm.
    ``SyncBatchNorm.convert_sync_batchnorm(model)`` swaps every BatchNorm*d of a model for one.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of the batch statistics in the running estimates; ``None`` for a cumulative average.
            Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        track_running_stats: keep running estimates and use them in eval mode. Default: ``True``.
        process_group: the ranks whose batches are combined. Default: ``None`` (all ranks).
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.

    Shape:
        - Input: ``(N, C, *)``.
        - Output: the shape of the input.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _check_non_zero_input_channels(self, input):
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def forward(self, input):
        self._check_input_dim(input)
        self._check_non_zero_input_channels(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        running_mean = self.running_mean if use_buffers else None
        running_var = self.running_var if use_buffers else None
        pg = None
        if bn_training and self.training and distributed_c10d.is_initialized():
            pg = distributed_c10d.resolve(self.process_group)
        if pg is None or pg.size() < 2:
            return batch_norm(input, running_mean, running_var, self.weight, self.bias, bn_training, factor,
                              self.eps)
        return SyncBatchNormFunction.apply(input, self.weight, self.bias, running_mean, running_var, self.eps,
                                           factor if bn_training else None, pg)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Return ``module`` with every BatchNorm*d (recursively) replaced by a SyncBatchNorm sharing its
        parameters and running statistics."""
        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = cls(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group)
            if module.affine:
                module_output.weight = module.weight
                module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, "qconfig"):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return module_output
