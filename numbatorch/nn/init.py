"""``nn.init``: in-place weight initialisation with PyTorch's formulas, drawing from numbatorch's generator."""
import math
import statistics
import warnings

import numpy as np

from .._random import numpy_generator

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "sparse_"]


def _fill(tensor, values):
    """Write ``values`` into the tensor's storage (an in-place change: bump its version)."""
    np.copyto(tensor._data, values, casting="unsafe")
    tensor._version_counter[0] += 1
    return tensor


def _draw_dtype(tensor):
    """The dtype to draw in: the tensor's own when numpy's Generator can produce it, else float32 (then cast)."""
    return np.float64 if tensor._data.dtype == np.float64 else np.float32


def _draw(tensor, rng, method):
    """``rng.random`` or ``rng.standard_normal`` in the tensor's floating dtype, written straight into its storage
    when that is a contiguous float32/float64 array (no float64 temporary: a 25088x4096 weight stays fast)."""
    data = tensor._data
    if data.dtype in (np.float32, np.float64) and data.flags.c_contiguous:
        return getattr(rng, method)(dtype=data.dtype, out=data)
    return getattr(rng, method)(data.shape, dtype=_draw_dtype(tensor))


def _fill_drawn(tensor, values, scale, shift):
    """Finish a draw in place as ``values * scale + shift`` and store it (``values`` may be the storage itself)."""
    values *= scale
    values += shift
    if values is tensor._data:
        tensor._version_counter[0] += 1
        return tensor
    return _fill(tensor, values)


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for ``nonlinearity`` (``param`` is leaky_relu's negative slope)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)``: input/output feature maps times the receptive field size."""
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b), drawn in the tensor's dtype."""
    return _fill_drawn(tensor, _draw(tensor, numpy_generator(generator), "random"), b - a, a)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²), drawn in the tensor's dtype."""
    return _fill_drawn(tensor, _draw(tensor, numpy_generator(generator), "standard_normal"), std, mean)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std²) truncated to [a, b]."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    rng = numpy_generator(generator)
    n = tensor._data.size
    dist = statistics.NormalDist(mean, std)
    lo, hi = dist.cdf(a), dist.cdf(b)
    if hi - lo > 0.05:
        # Rejection sampling: exact, and cheap while most of the mass lies inside [a, b].
        dtype = _draw_dtype(tensor)
        out = np.empty(0, dtype)
        while out.size < n:
            draw = rng.standard_normal(max(2 * (n - out.size), 16), dtype=dtype) * dtype(std) + dtype(mean)
            out = np.concatenate([out, draw[(draw >= a) & (draw <= b)]])
        values = out[:n]
    else:
        # Inverse CDF of uniform draws between the bounds' probabilities.
        u = rng.uniform(lo, hi, n)
        values = np.array([dist.inv_cdf(min(max(x, 1e-300), 1 - 1e-16)) for x in u])
    return _fill(tensor, np.clip(values, a, b).reshape(tensor._data.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val)


def ones_(tensor):
    """Fills ``tensor`` with ones, outside autograd; returns it."""
    return _fill(tensor, 1)


def zeros_(tensor):
    """Fills ``tensor`` with zeros, outside autograd; returns it."""
    return _fill(tensor, 0)


def eye_(tensor):
    """The identity matrix (2-D tensors only)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def dirac_(tensor, groups=1):
    """The Dirac delta for convolution weights: each output channel copies one input channel."""
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    values = np.zeros(tensor._data.shape)
    centre = tuple(s // 2 for s in sizes[2:])
    for g in range(groups):
        for d in range(min_dim):
            values[(g * out_chans_per_grp + d, d) + centre] = 1
    return _fill(tensor, values)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std²) with std = gain / sqrt(fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal draw, times ``gain``."""
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = numpy_generator(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    # Sign fix so that the result is uniformly distributed over orthogonal matrices.
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor._data.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """N(0, std²) with a fraction ``sparsity`` of each column set to zero (2-D tensors only)."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    rng = numpy_generator(generator)
    values = rng.standard_normal((rows, cols), dtype=_draw_dtype(tensor)) * std
    for col_idx in range(cols):
        values[rng.permutation(rows)[:num_zeros], col_idx] = 0
    return _fill(tensor, values)
