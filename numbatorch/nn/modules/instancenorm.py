"""InstanceNorm1d/2d/3d: normalise each (sample, channel) plane by its own statistics."""
import warnings

from ..functional.batchnorm import instance_norm
from .batchnorm import _NormBase


class _InstanceNorm(_NormBase):
    _no_batch_dim = 0     # input dims of an unbatched sample

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        if input.dim() not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got {input.dim()}D input)")

    def _get_no_batch_dim(self):
        return self._no_batch_dim

    def _apply_instance_norm(self, input):
        return instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                             self.training or not self.track_running_stats,
                             self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features"
                                 f" ({self.num_features}), but got: {input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          "You can silence this warning by not passing in num_features, "
                          "which is not used because affine=False")
        if input.dim() == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation: each ``(sample, channel)`` 1-D plane is normalised by its own mean and (biased) variance.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of each batch in the running estimates, if tracked. Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``False``.
        track_running_stats: keep running estimates and use them in eval mode. Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, L)`` or ``(C, L)``.
        - Output: the shape of the input.
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation: each ``(sample, channel)`` 2-D plane is normalised by its own mean and (biased) variance.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of each batch in the running estimates, if tracked. Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``False``.
        track_running_stats: keep running estimates and use them in eval mode. Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: the shape of the input.
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation: each ``(sample, channel)`` 3-D plane is normalised by its own mean and (biased) variance.

    Args:
        num_features: ``C``, the number of channels.
        eps: added to the variance for numerical stability. Default: ``1e-5``.
        momentum: weight of each batch in the running estimates, if tracked. Default: ``0.1``.
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros). Default: ``False``.
        track_running_stats: keep running estimates and use them in eval mode. Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters and running statistics. Default: the default dtype.
        bias: keyword-only; with ``affine``, whether to learn ``bias``. Default: ``True``.

    Shape:
        - Input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``.
        - Output: the shape of the input.
    """

    _no_batch_dim = 4


__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]
