"""``F.batch_norm`` and ``F.instance_norm`` on the batch-norm kernels of ``backends/cpu/norm.py``.

Running statistics are updated in place (like PyTorch) with the unbiased batch variance.
Instance norm is batch norm of the input viewed as (1, N*C, *spatial), weights tiled N times.
"""
import numpy as np

from ... import _dtype as dt
from ..._ops._util import Tensor, record
from ...autograd.graph import Node, backward_by_recompute
from ...backends import kernel_family
from ..._ops._half_precision import computes_in_float32, is_half_precision
from ..._ops._dtype_args import check_mixed_dtype, require_floating
from ._half_batch_norm import round_to, rounded_batch_stats, update_running_mean, update_running_var
from ._shape_args import fmt_size
from ..._ops._tensor_args import require_tensor

kernels = kernel_family("norm")


class NativeBatchNormBackward0(Node):
    """Backward of batch norm over (N, C, *); ``tiles`` > 1 folds instance-norm channel grads back to C."""

    __slots__ = ("x", "w", "mean", "invstd", "training", "tiles", "eps")

    def backward(self, grad):
        inputs = self.inputs
        x = self.x
        mask = (inputs[0] is not None, inputs[1] is not None, inputs[2] is not None)
        g = grad.reshape(x.shape)
        gx, gw, gb = kernels.batch_norm_backward(g, x, self.w, self.mean, self.invstd, self.training, mask)
        if mask[2] and gb is None:       # a bias without a weight: the kernel only sums with a weight
            gb = g.sum(axis=(0,) + tuple(range(2, g.ndim))).astype(g.dtype)
        if self.tiles > 1:
            if gw is not None:
                gw = gw.reshape(self.tiles, -1).sum(axis=0)
            if gb is not None:
                gb = gb.reshape(self.tiles, -1).sum(axis=0)
            if gx is not None:
                gx = gx.reshape(grad.shape)
        return gx, gw, gb

    def backward_graph(self, grad):
        shape = grad.shape  # the input's own (N, C, *) shape, also for instance norm
        n, c, rest = shape[0], shape[1], len(shape) - 2
        per_channel = (1, c) + (1,) * rest
        w = None if self.w is None else self.w[:c]  # instance norm tiled the weight N times

        def forward(x, weight, bias):
            x = x.reshape(shape)
            if self.training:  # statistics of this batch (instance norm: of each sample's plane)
                dims = (0,) + tuple(range(2, 2 + rest)) if self.tiles == 1 else tuple(range(2, 2 + rest))
                centered = x - x.mean(dims, keepdim=True)
                xhat = centered / ((centered * centered).mean(dims, keepdim=True) + self.eps).sqrt()
            else:  # running statistics: constants
                stats = per_channel if self.tiles == 1 else (n, c) + (1,) * rest
                xhat = (x - Tensor._make(self.mean.reshape(stats))) * Tensor._make(self.invstd.reshape(stats))
            y = xhat if weight is None else xhat * weight.reshape(per_channel)
            return y if bias is None else y + bias.reshape(per_channel)
        return backward_by_recompute(self, forward, (self.x, w, None), grad)


def _update(running, batch_stat, momentum):
    """running <- (1 - momentum) * running + momentum * batch_stat, in place (bumps the version)."""
    arr = running._data
    arr[...] = (1.0 - momentum) * arr + momentum * batch_stat.reshape(arr.shape)
    running._version_counter[0] += 1


def _data(t):
    return None if t is None else t._data


def _check_batch_norm(x, weight, bias, running_mean, running_var, training, statistics_dtype_checked=True):
    """PyTorch's checks of a batch norm over (N, C, *) arrays; the kernels then trust the shapes. Instance norm
    does not check the running statistics' dtype (``statistics_dtype_checked=False``)."""
    require_floating("batch_norm", x)
    check_mixed_dtype(x, weight, bias, *((running_mean, running_var) if statistics_dtype_checked else ()))
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {x.ndim}D input)")
    C = x.shape[1]
    for name, p in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if p is not None and p.size != C:
            raise RuntimeError(f"running_mean should contain {C} elements not {p.size}"
                               if name.startswith("running") else
                               f"{name} should contain {C} elements not {p.size}")
    if training and x.shape[0] * int(np.prod(x.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size torch.Size([{fmt_size(x.shape)}])")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")


def _empty_input(input, weight, bias):
    """PyTorch's batch norm of an input without elements: no statistics, a copy scaled and shifted by the first
    weight and bias entries (so those get zero gradients, and an empty weight raises IndexError)."""
    out = input.clone()
    if weight is not None:
        out = out * weight[0]
    if bias is not None:
        out = out + bias[0]
    return out


def _assign(running, values):
    running._data[...] = values.reshape(running._data.shape)
    running._version_counter[0] += 1


def _half_statistics_dtype(input, *params):
    """The numpy dtype of a bfloat16/float16 input whose given parameters and statistics all share it (PyTorch
    then keeps the batch statistics in that dtype), else None."""
    if not is_half_precision(input) or any(p is not None and p.dtype is not input.dtype for p in params):
        return None
    return input._data.dtype


def _check_half_parameters(input, *params):
    """PyTorch's mixed-dtype rule for a half-precision input, whose other parameters must be float32 (the float32
    copies the kernels get would hide it)."""
    if is_half_precision(input) and any(p is not None and p.dtype not in (input.dtype, dt.float32) for p in params):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel of (N, C, *) by batch statistics (training) or the running ones (eval)."""
    require_tensor("batch_norm", input)
    _check_half_parameters(input, weight, bias, running_mean, running_var)
    half = _half_statistics_dtype(input, weight, bias, running_mean, running_var)
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps, half)


@computes_in_float32(updates=("running_mean", "running_var"))
def _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps, half):
    x = input._data
    for stat in (running_mean, running_var):
        # PyTorch checks the running statistics before the affine parameters
        if stat is not None and x.ndim >= 2 and stat.numel() != x.shape[1]:
            raise RuntimeError(f"running_mean should contain {x.shape[1]} elements not {stat.numel()}")
    w = _data(weight)
    rm, rv = _data(running_mean), _data(running_var)
    _check_batch_norm(x, w, _data(bias), rm, rv, training)
    if x.size == 0:
        return _empty_input(input, weight, bias)
    if training and half is not None:
        return _half_training_batch_norm(input, running_mean, running_var, weight, bias, momentum, eps, half)
    y, mean, invstd = kernels.batch_norm_forward(x, w, _data(bias), rm, rv, bool(training), eps)
    if training and momentum is not None:
        count = x.size // x.shape[1]
        if running_mean is not None:
            _update(running_mean, mean, momentum)
        if running_var is not None:
            _update(running_var, kernels.batch_norm_unbiased_var(invstd, eps, count), momentum)
    elif not training:
        mean = mean.copy()      # may view running_mean, which later training steps overwrite in place
    return record(y, NativeBatchNormBackward0, (input, weight, bias), reads=(input, (weight, 0)), x=x, w=w,
                  mean=mean, invstd=invstd, training=bool(training), tiles=1, eps=eps)


def _half_training_batch_norm(input, running_mean, running_var, weight, bias, momentum, eps, half):
    """Training batch norm of float32 copies of half-precision operands, with PyTorch's rounded statistics."""
    x, w = input._data, _data(weight)
    mean, invstd = kernels.batch_norm_stats(x, eps)
    count = x.size // x.shape[1]
    saved_mean, saved_invstd, unbiased_var = rounded_batch_stats(mean, invstd, eps, count, half)
    y = kernels.batch_norm_apply(x, saved_mean, saved_invstd, w, _data(bias))
    if momentum is not None:
        if running_mean is not None:
            _assign(running_mean, update_running_mean(running_mean._data, mean, momentum, half))
        if running_var is not None:
            _assign(running_var, update_running_var(running_var._data, unbiased_var, momentum, half))
    return record(y, NativeBatchNormBackward0, (input, weight, bias), reads=(input, (weight, 0)), x=x, w=w,
                  mean=saved_mean, invstd=saved_invstd, training=True, tiles=1, eps=eps)


def saved_statistics(input, weight, bias, running_mean, running_var, eps):
    """The batch mean and invstd a training batch norm saves (``torch.native_batch_norm`` returns them): in the
    parameters' dtype (the input's when there are none), rounded as PyTorch's kernel rounds half-precision ones."""
    x = input._data.astype(np.float32) if is_half_precision(input) else input._data
    mean, invstd = kernels.batch_norm_stats(x, eps)
    half = _half_statistics_dtype(input, weight, bias, running_mean, running_var)
    if half is not None:
        mean, invstd, _ = rounded_batch_stats(mean, invstd, eps, x.size // x.shape[1], half)
    dtype = next((p.dtype for p in (weight, bias, running_mean, running_var) if p is not None), input.dtype)
    return Tensor._make(mean).to(dtype), Tensor._make(invstd).to(dtype)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) plane of (N, C, *) by its own statistics."""
    half = _half_statistics_dtype(input, weight, bias, running_mean, running_var)
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps, half)


@computes_in_float32(updates=("running_mean", "running_var"))
def _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps, half):
    x = input._data
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {x.ndim}D input)")
    N, C = x.shape[:2]
    if use_input_stats and int(np.prod(x.shape[2:])) <= 1:
        raise ValueError("Expected more than 1 spatial element when training, got input size "
                         f"torch.Size([{', '.join(map(str, x.shape))}])")
    x3 = np.ascontiguousarray(x, like=x).reshape((1, N * C) + x.shape[2:])
    w = None if weight is None else np.tile(weight._data, N)
    b = None if bias is None else np.tile(bias._data, N)
    # PyTorch's instance norm takes running statistics of any floating dtype (only weight and bias must match).
    rm = None if running_mean is None else np.tile(running_mean._data, N).astype(x.dtype, copy=False)
    rv = None if running_var is None else np.tile(running_var._data, N).astype(x.dtype, copy=False)
    _check_batch_norm(x3, w, b, rm, rv, use_input_stats, statistics_dtype_checked=False)
    if x.size == 0:
        return _empty_input(input, None if weight is None else weight.repeat(N),
                            None if bias is None else bias.repeat(N))
    if use_input_stats and half is not None:
        return _half_training_instance_norm(input, x3, running_mean, running_var, weight, bias, w, b, momentum, eps,
                                            half)
    y, mean, invstd = kernels.batch_norm_forward(x3, w, b, rm, rv, bool(use_input_stats), eps)
    if use_input_stats:
        count = x3.size // x3.shape[1]
        if running_mean is not None:
            _update(running_mean, mean.reshape(N, C).mean(axis=0), momentum)
        if running_var is not None:
            var = kernels.batch_norm_unbiased_var(invstd, eps, count)
            _update(running_var, var.reshape(N, C).mean(axis=0), momentum)
    return record(y.reshape(x.shape), NativeBatchNormBackward0, (input, weight, bias), reads=(input, (weight, 0)),
                  x=x3, w=w, mean=mean, invstd=invstd, training=bool(use_input_stats), tiles=N, eps=eps)


def _half_training_instance_norm(input, x3, running_mean, running_var, weight, bias, w, b, momentum, eps, half):
    """Instance norm of half-precision operands with PyTorch's rounded statistics: the batch norm of x3 with the
    running statistics tiled per sample, updated there and averaged back over the samples."""
    N, C = input.shape[:2]
    mean, invstd = kernels.batch_norm_stats(x3, eps)
    count = x3.size // x3.shape[1]
    saved_mean, saved_invstd, unbiased_var = rounded_batch_stats(mean, invstd, eps, count, half)
    y = kernels.batch_norm_apply(x3, saved_mean, saved_invstd, w, b)
    for running, update, batch_stat in ((running_mean, update_running_mean, mean),
                                        (running_var, update_running_var, unbiased_var)):
        if running is not None:
            per_sample = round_to(update(np.tile(running._data, N), batch_stat, momentum, half), half)
            _assign(running, round_to(per_sample.reshape(N, C).mean(axis=0), half))
    return record(y.reshape(input.shape), NativeBatchNormBackward0, (input, weight, bias),
                  reads=(input, (weight, 0)), x=x3, w=w, mean=saved_mean, invstd=saved_invstd, training=True, tiles=N,
                  eps=eps)


__all__ = ["batch_norm", "instance_norm"]
