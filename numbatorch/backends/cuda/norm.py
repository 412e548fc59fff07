"""Batch norm on device arrays, forward (training statistics or running ones) and backward, with the names,
arguments and results of ``backends.cpu.norm``. Running statistics are the caller's, as there.
"""
import numpy as np

from ..cpu.norm import batch_norm_unbiased_var
from . import _norm_kernels as K
from ._array import THREADS, launch, xp

__all__ = ["batch_norm_forward", "batch_norm_backward", "batch_norm_unbiased_var"]


def _param(p, dtype):
    """Affine parameter as a contiguous 1-d array in dtype; empty array when absent."""
    if p is None:
        return xp.empty(0, dtype=dtype)
    return xp.ascontiguousarray(p, dtype=dtype).reshape(-1)


def _bn_view(x):
    return xp.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def batch_norm_forward(x, weight=None, bias=None, running_mean=None, running_var=None,
                       training=True, eps=1e-5):
    """Batch norm over float (N, C, *) with C-sized parameters and statistics (checked by the caller).
    Training: batch statistics, returns (y, mean, invstd) (float64 arrays of C); eval: uses
    running_mean/var, returns (y, running_mean, invstd)."""
    x3 = _bn_view(x)
    C = x3.shape[1]
    if training:
        mean = xp.empty(C, np.float64)
        invstd = xp.empty(C, np.float64)
        K.bn_stats[C, THREADS](x3, float(eps), mean, invstd)
    else:
        mean = xp.asarray(running_mean, np.float64).reshape(-1)
        invstd = 1.0 / xp.sqrt(xp.asarray(running_var, np.float64).reshape(-1) + eps)
    y = xp.empty_like(x3)
    launch(K.bn_apply, x3.size)(x3, mean, invstd, _param(weight, x.dtype), _param(bias, x.dtype), y)
    return y.reshape(x.shape), mean, invstd


def batch_norm_backward(grad_output, x, weight, mean, invstd, training=True,
                        output_mask=(True, True, True)):
    """Gradients (grad_input, grad_weight, grad_bias) of batch_norm_forward, given the mean and
    invstd it returned.  grad_weight/grad_bias are None when weight is None or not asked for."""
    x3 = _bn_view(x)
    gy = xp.ascontiguousarray(grad_output, dtype=x.dtype).reshape(x3.shape)
    C = x3.shape[1]
    sum_gy = xp.empty(C, np.float64)
    sum_gy_xhat = xp.empty(C, np.float64)
    K.bn_grad_sums[C, THREADS](gy, x3, mean, invstd, sum_gy, sum_gy_xhat)
    gx = None
    if output_mask[0]:
        gx = xp.empty_like(x3)
        launch(K.bn_grad_input, x3.size)(gy, x3, mean, invstd, _param(weight, x.dtype), sum_gy, sum_gy_xhat,
                                          bool(training), gx)
        gx = gx.reshape(x.shape)
    affine = weight is not None
    gw = sum_gy_xhat.astype(x.dtype) if affine and output_mask[1] else None
    gb = sum_gy.astype(x.dtype) if affine and output_mask[2] else None
    return gx, gw, gb
