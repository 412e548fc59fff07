"""Optimizer updates on raw arrays: the fused kernels of ``_optim_kernels`` where they apply."""
import numpy as np

from . import _optim_kernels as K

__all__ = ["adam_update", "adam_update_group"]

_FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _fusable(param, *others):
    """Whether the fused kernel can update ``param`` in place: writeable C-contiguous host arrays of one float dtype
    and shape (a kernel never sees device memory; half precision keeps numpy's passes)."""
    if type(param) is not np.ndarray or param.dtype not in _FUSED_DTYPES or not param.flags.writeable:
        return False
    for a in (param,) + others:
        if type(a) is not np.ndarray or a.dtype != param.dtype or a.shape != param.shape or not a.flags.c_contiguous:
            return False
    return True


def _adam_scalars(dtype, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """The fused kernel's scalar arguments, rounded to ``dtype`` as numpy rounds a Python float meeting an array."""
    s = dtype.type
    weight1 = 1 - beta1
    return (weight1 < 0.5, s(weight1), s(1 - weight1), s(beta2), s(1 - beta2), s(-step_size),
            s(bias_correction2_sqrt), s(eps))


def adam_update(param, grad, exp_avg, exp_avg_sq, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """Adam's update of one parameter in place, in one pass; returns False (nothing written) where it cannot.

    exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq = exp_avg_sq * beta2 + (1 - beta2) * grad * grad;
    param -= step_size * exp_avg / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps), with the scalars rounded to
    the parameter's dtype first, as numpy rounds a Python float meeting an array.
    """
    if not _fusable(param, grad, exp_avg, exp_avg_sq):
        return False
    K.adam_update(param.reshape(-1), grad.reshape(-1), exp_avg.reshape(-1), exp_avg_sq.reshape(-1),
                  *_adam_scalars(param.dtype, beta1, beta2, step_size, bias_correction2_sqrt, eps))
    return True


def adam_update_group(params, grads, exp_avgs, exp_avg_sqs, beta1, beta2, step_size, bias_correction2_sqrt, eps):
    """``adam_update`` of several parameters sharing one step count, the scalars rounded once per dtype (the
    foreach form: one Python pass instead of one per parameter); returns the indices it could not update, whose
    arrays it left untouched."""
    scalars_by_dtype = {}
    declined = []
    for i, (param, grad, exp_avg, exp_avg_sq) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs)):
        if not _fusable(param, grad, exp_avg, exp_avg_sq):
            declined.append(i)
            continue
        scalars = scalars_by_dtype.get(param.dtype)
        if scalars is None:
            scalars = scalars_by_dtype[param.dtype] = _adam_scalars(param.dtype, beta1, beta2, step_size,
                                                                    bias_correction2_sqrt, eps)
        K.adam_update(param.reshape(-1), grad.reshape(-1), exp_avg.reshape(-1), exp_avg_sq.reshape(-1), *scalars)
    return declined
