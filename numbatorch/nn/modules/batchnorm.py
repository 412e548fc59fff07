"""BatchNorm1d/2d/3d: per-channel normalisation with running statistics (and the shared _NormBase)."""
from ... import _creation, _dtype
from .. import init
from ..functional.batchnorm import batch_norm
from ..parameter import Parameter
from .module import Module


class _NormBase(Module):
    """Common base of _BatchNorm and _InstanceNorm: affine parameters and running-statistics buffers."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = Parameter(_creation.empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(_creation.empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", _creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", _creation.tensor(0, dtype=_dtype.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={use_bias}, "
                "track_running_stats={track_running_stats}".format(**self.__dict__, use_bias=self.bias is not None))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints before version 2 have no num_batches_tracked: start it at 0
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else _creation.tensor(0, dtype=_dtype.long))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        # momentum=None means a cumulative moving average: factor 1/num_batches_tracked
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if use_buffers else None,
                          self.running_var if use_buffers else None, self.weight, self.bias, bn_training,
                          factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over a batch of vectors or of 1-D sequences.

    Each channel is normalised by its mean and (biased) variance over the batch and spatial positions, then scaled
    by ``weight`` and shifted by ``bias``.

    In training mode the batch statistics are used and the running estimates updated with
    ``running = (1 - momentum) * running + momentum * batch`` (the unbiased batch variance); in eval mode the running
    estimates are used.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of the batch statistics in the running estimates; ``None`` for a cumulative average.
            Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        track_running_stats: keep running estimates (``running_mean``, ``running_var``, ``num_batches_tracked``);
            without them batch statistics are used in eval mode too. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C)`` or ``(N, C, L)``.
        - Output: the shape of the input.
    """

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over a batch of 2-D feature maps.

    Each channel is normalised by its mean and (biased) variance over the batch and spatial positions, then scaled
    by ``weight`` and shifted by ``bias``.

    In training mode the batch statistics are used and the running estimates updated with
    ``running = (1 - momentum) * running + momentum * batch`` (the unbiased batch variance); in eval mode the running
    estimates are used.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of the batch statistics in the running estimates; ``None`` for a cumulative average.
            Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        track_running_stats: keep running estimates (``running_mean``, ``running_var``, ``num_batches_tracked``);
            without them batch statistics are used in eval mode too. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, H, W)``.

    Examples::

        >>> m = nn.BatchNorm2d(100)
        >>> y = m(torch.randn(20, 100, 35, 45))
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalisation over a batch of 3-D feature maps.

    Each channel is normalised by its mean and (biased) variance over the batch and spatial positions, then scaled
    by ``weight`` and shifted by ``bias``.

    In training mode the batch statistics are used and the running estimates updated with
    ``running = (1 - momentum) * running + momentum * batch`` (the unbiased batch variance); in eval mode the running
    estimates are used.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of the batch statistics in the running estimates; ``None`` for a cumulative average.
            Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``True``.
        track_running_stats: keep running estimates (``running_mean``, ``running_var``, ``num_batches_tracked``);
            without them batch statistics are used in eval mode too. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, D, H, W)``.
        - Output: ``(N, C, D, H, W)``.
    """

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
