"""Batch, layer and group normalisation on raw numpy arrays, forward and backward.

Instance norm is left to the caller as batch norm of x reshaped to (1, N*C, *spatial)
(weights tiled N times, grads summed back); local response norm is composed by the caller.
Running statistics are the caller's: batch_norm_forward returns the batch mean and invstd,
and the unbiased variance for the running update is  (1/invstd**2 - eps) * M / (M - 1)
with M = N * prod(spatial) (batch_norm_unbiased_var does that).
"""
import numpy as np

from . import _layer_norm_kernels as _ln, _norm_kernels as K
from ._parallel import choose
from .pointwise import MIN_BACKWARD_BYTES

# Input bytes from which float32/float64 layer norm runs on ``_layer_norm_kernels``; smaller arrays keep the row
# kernels shared with group norm (their bits, and their numpy stand-ins, which spare a cold start the compile).
LAYER_NORM_MIN_BYTES = MIN_BACKWARD_BYTES

__all__ = ["batch_norm_forward", "batch_norm_stats", "batch_norm_apply", "batch_norm_backward",
           "batch_norm_unbiased_var", "layer_norm_forward", "layer_norm_backward", "group_norm_forward",
           "group_norm_backward"]


def _param(p, dtype):
    """Affine parameter as a contiguous 1-d array in dtype; empty array when absent."""
    if p is None:
        return np.empty(0, dtype=dtype)
    return np.ascontiguousarray(p, dtype=dtype).reshape(-1)


def _bn_view(x):
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def batch_norm_forward(x, weight=None, bias=None, running_mean=None, running_var=None,
                       training=True, eps=1e-5):
    """Batch norm over float (N, C, *) with C-sized parameters and statistics (checked by the caller).
    Training: batch statistics, returns (y, mean, invstd) (float64 arrays of C); eval: uses
    running_mean/var, returns (y, running_mean, invstd)."""
    if training:
        mean, invstd = batch_norm_stats(x, eps)
    else:
        mean = np.asarray(running_mean, np.float64).reshape(-1)
        invstd = 1.0 / np.sqrt(np.asarray(running_var, np.float64).reshape(-1) + eps)
    return batch_norm_apply(x, mean, invstd, weight, bias), mean, invstd


def batch_norm_stats(x, eps=1e-5):
    """Per-channel batch mean and invstd = 1 / sqrt(biased variance + eps) of float (N, C, *), float64 arrays of C."""
    x3 = _bn_view(x)
    mean = np.empty(x3.shape[1], np.float64)
    invstd = np.empty(x3.shape[1], np.float64)
    choose(K.bn_stats, x3.size)(x3, float(eps), mean, invstd)
    return mean, invstd


def batch_norm_apply(x, mean, invstd, weight=None, bias=None):
    """(x - mean) * invstd * weight + bias per channel of float (N, C, *), with float64 mean and invstd of C."""
    x3 = _bn_view(x)
    y = np.empty_like(x3)
    choose(K.bn_apply, x3.size)(x3, mean, invstd, _param(weight, x.dtype), _param(bias, x.dtype), y)
    return y.reshape(x.shape)


def batch_norm_unbiased_var(invstd, eps, count):
    """Unbiased batch variance (for running_var) from the invstd batch_norm_forward returned."""
    return (1.0 / invstd ** 2 - eps) * count / max(count - 1, 1)


def batch_norm_backward(grad_output, x, weight, mean, invstd, training=True,
                        output_mask=(True, True, True)):
    """Gradients (grad_input, grad_weight, grad_bias) of batch_norm_forward, given the mean and
    invstd it returned.  grad_weight/grad_bias are None when weight is None or not asked for."""
    x3 = _bn_view(x)
    gy = np.ascontiguousarray(grad_output, dtype=x.dtype).reshape(x3.shape)
    C = x3.shape[1]
    sum_gy = np.empty(C, np.float64)
    sum_gy_xhat = np.empty(C, np.float64)
    choose(K.bn_grad_sums, x3.size)(gy, x3, mean, invstd, sum_gy, sum_gy_xhat)
    gx = None
    if output_mask[0]:
        gx = np.empty_like(x3)
        choose(K.bn_grad_input, x3.size)(
            gy, x3, mean, invstd, _param(weight, x.dtype), sum_gy, sum_gy_xhat, bool(training), gx)
        gx = gx.reshape(x.shape)
    affine = weight is not None
    gw = sum_gy_xhat.astype(x.dtype) if affine and output_mask[1] else None
    gb = sum_gy.astype(x.dtype) if affine and output_mask[2] else None
    return gx, gw, gb


def _rows(x, G, Cg, S, weight, bias, eps):
    x2 = np.ascontiguousarray(x).reshape(-1, Cg * S)
    y = np.empty_like(x2)
    mean = np.empty(x2.shape[0], np.float64)
    rstd = np.empty(x2.shape[0], np.float64)
    choose(K.rownorm_forward, x2.size)(
        x2, _param(weight, x.dtype), _param(bias, x.dtype), G, Cg, S, float(eps), y, mean, rstd)
    return y, mean, rstd


def _rows_backward(gy, x, mean, rstd, weight, G, Cg, S):
    x2 = np.ascontiguousarray(x).reshape(-1, Cg * S)
    g2 = np.ascontiguousarray(gy, dtype=x.dtype).reshape(x2.shape)
    gx = np.empty_like(x2)
    choose(K.rownorm_backward, x2.size)(
        g2, x2, mean.reshape(-1), rstd.reshape(-1), _param(weight, x.dtype), G, Cg, S, gx)
    return gx, g2, x2


def _vector_rows(x):
    """Whether layer norm of ``x`` takes ``_layer_norm_kernels``: float32/float64 from ``LAYER_NORM_MIN_BYTES``."""
    return x.nbytes >= LAYER_NORM_MIN_BYTES and x.dtype in (np.float32, np.float64)


def _layer_norm_rows(x, D, weight, bias, eps):
    x2 = np.ascontiguousarray(x).reshape(-1, D)
    y = np.empty_like(x2)
    mean = np.empty(x2.shape[0], np.float64)
    rstd = np.empty(x2.shape[0], np.float64)
    per = _ln.chunk_rows(*x2.shape)
    choose(_ln.forward, x2.nbytes, LAYER_NORM_MIN_BYTES)(
        x2, _param(weight, x.dtype), _param(bias, x.dtype), float(eps), per, y, mean, rstd)
    return y, mean, rstd


def layer_norm_forward(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer norm of float x over its trailing dims ``normalized_shape`` (a tuple, checked by the caller);
    returns (y, mean, rstd) with mean/rstd of shape x.shape[:-k] + (1,)*k (float64)."""
    ns = tuple(normalized_shape)
    k = len(ns)
    D = int(np.prod(ns))
    if _vector_rows(x) and D:
        y, mean, rstd = _layer_norm_rows(x, D, weight, bias, eps)
    else:
        y, mean, rstd = _rows(x, 1, D, 1, weight, bias, eps)
    stat_shape = x.shape[:x.ndim - k] + (1,) * k
    return y.reshape(x.shape), mean.reshape(stat_shape), rstd.reshape(stat_shape)


def _layer_norm_rows_backward(grad_output, x, ns, mean, rstd, weight, output_mask, want_bias):
    """``layer_norm_backward`` by ``_layer_norm_kernels``: the weight's and bias's gradients summed in float64 by
    chunks of rows, then over the chunks in order."""
    x2 = np.ascontiguousarray(x).reshape(-1, int(np.prod(ns)))
    g2 = np.ascontiguousarray(grad_output, dtype=x.dtype).reshape(x2.shape)
    gx = np.empty_like(x2)
    per = _ln.chunk_rows(*x2.shape)
    chunks = -(-x2.shape[0] // per)
    want_weight = weight is not None and output_mask[1]
    weight_partials = np.empty((chunks, x2.shape[1] if want_weight else 0))
    bias_partials = np.empty((chunks, x2.shape[1] if want_bias else 0))
    choose(_ln.backward, x2.nbytes, LAYER_NORM_MIN_BYTES)(
        g2, x2, mean.reshape(-1), rstd.reshape(-1), _param(weight, x.dtype), per, gx, weight_partials,
        bias_partials)
    gw = weight_partials.sum(axis=0).astype(x.dtype).reshape(ns) if want_weight else None
    gb = bias_partials.sum(axis=0).astype(x.dtype).reshape(ns) if want_bias else None
    return (gx.reshape(x.shape) if output_mask[0] else None), gw, gb


def layer_norm_backward(grad_output, x, normalized_shape, mean, rstd, weight=None,
                        output_mask=(True, True, True), has_bias=None):
    """Gradients (grad_input, grad_weight, grad_bias) of layer_norm_forward.  grad_weight is None
    without weight; grad_bias is None when has_bias is False (default: same as weight)."""
    ns = tuple(normalized_shape)
    D = int(np.prod(ns))
    want_bias = (weight is not None if has_bias is None else has_bias) and output_mask[2]
    if _vector_rows(x) and D:
        return _layer_norm_rows_backward(grad_output, x, ns, mean, rstd, weight, output_mask, want_bias)
    gx, g2, x2 = _rows_backward(grad_output, x, mean, rstd, weight, 1, D, 1)
    gw = gb = None
    if weight is not None and output_mask[1]:
        xhat = (x2 - mean.reshape(-1, 1)) * rstd.reshape(-1, 1)
        gw = np.einsum("rd,rd->d", g2, xhat).astype(x.dtype).reshape(ns)
    if (weight is not None if has_bias is None else has_bias) and output_mask[2]:
        gb = g2.sum(axis=0).reshape(ns)
    return (gx.reshape(x.shape) if output_mask[0] else None), gw, gb


def group_norm_forward(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Group norm of float (N, C, *) with C divisible by num_groups (checked by the caller); returns (y, mean,
    rstd) with mean/rstd of shape (N, G) (float64)."""
    N, C = x.shape[:2]
    G = int(num_groups)
    S = int(np.prod(x.shape[2:]))
    y, mean, rstd = _rows(x, G, C // G, S, weight, bias, eps)
    return y.reshape(x.shape), mean.reshape(N, G), rstd.reshape(N, G)


def group_norm_backward(grad_output, x, num_groups, mean, rstd, weight=None,
                        output_mask=(True, True, True), has_bias=None):
    """Gradients (grad_input, grad_weight, grad_bias) of group_norm_forward."""
    N, C = x.shape[:2]
    G = int(num_groups)
    S = int(np.prod(x.shape[2:]))
    gx, g2, x2 = _rows_backward(grad_output, x, mean, rstd, weight, G, C // G, S)
    gw = gb = None
    if weight is not None and output_mask[1]:
        xhat = (x2 - mean.reshape(-1, 1)) * rstd.reshape(-1, 1)
        gw = np.einsum("ncs,ncs->c", g2.reshape(N, C, S), xhat.reshape(N, C, S)).astype(x.dtype)
    if (weight is not None if has_bias is None else has_bias) and output_mask[2]:
        gb = g2.reshape(N, C, S).sum(axis=(0, 2))
    return (gx.reshape(x.shape) if output_mask[0] else None), gw, gb
