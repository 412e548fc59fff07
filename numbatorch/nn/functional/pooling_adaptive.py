"""Pooling given an output size: adaptive average/max pooling (1-d, 2-d, 3-d) and fractional max pooling
(2-d, 3-d), with their ``*_with_indices`` forms. Part of the pooling family: checks, indexed node and kernels
are ``pooling``'s."""
import numpy as np

from ..._ops._half_precision import computes_in_float32
from ..._ops._tensor_args import require_tensor
from ..._ops._util import record
from ..._random import numpy_generator
from ...autograd.graph import Node, with_zero_input_edges
from ._shape_args import fmt_size, pool_ntuple
from .pooling import _IndexedPoolBackward, _check_input, _indexed_result, _node, kernels

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]


AdaptiveMaxPool2DBackward0 = _node("AdaptiveMaxPool2DBackward0", _IndexedPoolBackward)
AdaptiveMaxPool3DBackward0 = _node("AdaptiveMaxPool3DBackward0", _IndexedPoolBackward)
FractionalMaxPool2DBackward0 = _node("FractionalMaxPool2DBackward0", _IndexedPoolBackward)
FractionalMaxPool3DBackward0 = _node("FractionalMaxPool3DBackward0", _IndexedPoolBackward)


def _output_size(output_size, nd):
    if isinstance(output_size, (int, np.integer)):
        return (int(output_size),) * nd
    output_size = tuple(None if v is None else int(v) for v in output_size)
    if len(output_size) == 1 and nd > 1:
        return output_size * nd
    if len(output_size) != nd:
        raise RuntimeError(f"adaptive_pool{nd}d: output_size must be {nd}")
    return output_size


def _check_adaptive(name, x, output_size, nd):
    """PyTorch's checks of an adaptive pool's input and output size (None entries keep the input's size)."""
    for s in x.shape[x.ndim - nd:] + x.shape[max(0, x.ndim - nd - 1):x.ndim - nd]:
        if s == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes [{fmt_size(x.shape)}] with dimension {list(x.shape).index(0)} "
                               "being empty")
    if any(o is not None and o < 0 for o in output_size):
        shown = ", ".join(str(x.shape[x.ndim - nd + i] if o is None else o) for i, o in enumerate(output_size))
        raise RuntimeError(f"{name}(): elements of output_size must be greater than or equal to 0 "
                           f"but received {{{shown}}}")
    _check_input(name, x, nd)


class _AdaptiveAvgPoolBackward(Node):
    __slots__ = ("x_shape", "nd")

    def backward(self, grad):
        return kernels.adaptive_avg_pool_backward(grad, self.x_shape, self.nd)

    def backward_graph(self, grad):
        return with_zero_input_edges(self, record(self.backward(grad._data), _AdaptiveAvgPoolGradBackward, (grad,),
                                                  nd=self.nd, output_size=grad._data.shape[grad._data.ndim - self.nd:]))


class _AdaptiveAvgPoolGradBackward(Node):
    """Graph of an adaptive average pool's gradient: linear in it, with the pool itself as its adjoint."""

    __slots__ = ("nd", "output_size")

    def backward(self, grad):
        return kernels.adaptive_avg_pool_forward(grad, self.output_size, self.nd)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _AdaptiveAvgPoolBackward, (grad,), x_shape=grad._data.shape,
                      nd=self.nd)


AdaptiveAvgPool2DBackward0 = _node("AdaptiveAvgPool2DBackward0", _AdaptiveAvgPoolBackward)
AdaptiveAvgPool3DBackward0 = _node("AdaptiveAvgPool3DBackward0", _AdaptiveAvgPoolBackward)


@computes_in_float32
def _adaptive_avg_pool(nd, input, output_size):
    require_tensor(f"adaptive_avg_pool{nd}d", input)
    output_size = _output_size(output_size, nd)
    _check_adaptive(f"adaptive_avg_pool{nd}d", input._data, output_size, nd)
    out = kernels.adaptive_avg_pool_forward(input._data, output_size, nd)
    node = AdaptiveAvgPool3DBackward0 if nd == 3 else AdaptiveAvgPool2DBackward0
    return record(out, node, (input,), x_shape=input._data.shape, nd=nd)


def adaptive_avg_pool1d(input, output_size):
    """1-D average pooling to a fixed ``output_size``.

    See ``nn.AdaptiveAvgPool1d`` for the arguments and shapes.
    """
    return _adaptive_avg_pool(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """2-D average pooling to a fixed ``output_size``.

    See ``nn.AdaptiveAvgPool2d`` for the arguments and shapes.
    """
    return _adaptive_avg_pool(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """3-D average pooling to a fixed ``output_size``.

    See ``nn.AdaptiveAvgPool3d`` for the arguments and shapes.
    """
    return _adaptive_avg_pool(3, input, output_size)


@computes_in_float32
def _adaptive_max_pool(nd, input, output_size, return_indices):
    require_tensor(f"adaptive_max_pool{nd}d", input)
    output_size = _output_size(output_size, nd)
    _check_adaptive(f"adaptive_max_pool{nd}d", input._data, output_size, nd)
    out, idx = kernels.adaptive_max_pool_forward(input._data, output_size, nd)
    node = AdaptiveMaxPool3DBackward0 if nd == 3 else AdaptiveMaxPool2DBackward0
    return _indexed_result(input, out, idx, node, nd, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D max pooling to a fixed ``output_size``.

    See ``nn.AdaptiveMaxPool1d`` for the arguments and shapes.
    """
    return _adaptive_max_pool(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D max pooling to a fixed ``output_size``.

    See ``nn.AdaptiveMaxPool2d`` for the arguments and shapes.
    """
    return _adaptive_max_pool(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-D max pooling to a fixed ``output_size``.

    See ``nn.AdaptiveMaxPool3d`` for the arguments and shapes.
    """
    return _adaptive_max_pool(3, input, output_size, return_indices)


@computes_in_float32
def _fractional_max_pool(nd, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    fname = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fname} requires specifying either an output_size or an output_ratio")
    x = input._data
    if output_size is None:
        ratio = (float(output_ratio),) * nd if isinstance(output_ratio, (int, float)) else tuple(output_ratio)
        if len(ratio) == 1:
            ratio = ratio * nd
        if len(ratio) != nd:
            raise ValueError(f"{fname} requires output_ratio to either be a single Int or tuple of Ints.")
        output_size = tuple(int(x.shape[x.ndim - nd + i] * ratio[i]) for i in range(nd))
    output_size = pool_ntuple(output_size, nd, fname, "output_size")
    k = pool_ntuple(kernel_size, nd, fname, "kernel_size")
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for i in range(nd):
        if output_size[i] + k[i] - 1 > x.shape[x.ndim - nd + i]:
            prefix = fname if nd == 2 else fname + "_out"
            raise RuntimeError(f"{prefix}(): pool {names[i]} {k[i]} too large relative to input {names[i]} "
                               f"{x.shape[x.ndim - nd + i]}")
    if _random_samples is None:
        n_batch = 1 if x.ndim == nd + 1 else x.shape[0]
        samples = np.asarray(numpy_generator().random((n_batch, x.shape[x.ndim - nd - 1], nd)), dtype=x.dtype, like=x)
    else:
        samples = _random_samples._data
    _check_input(fname, x, nd)
    lead = x.shape[:x.ndim - nd]
    if samples.size != int(np.prod(lead)) * nd:
        raise RuntimeError(f"{fname}(): expected random_samples of shape [{fmt_size(lead)}, {nd}]")
    out, idx = kernels.fractional_max_pool_forward(x, k, output_size, samples)
    node = FractionalMaxPool3DBackward0 if nd == 3 else FractionalMaxPool2DBackward0
    return _indexed_result(input, out, idx, node, nd, return_indices)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2-D fractional max pooling to ``output_size`` or ``output_ratio``.

    See ``nn.FractionalMaxPool2d`` for the arguments and shapes.
    """
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3-D fractional max pooling to ``output_size`` or ``output_ratio``.

    See ``nn.FractionalMaxPool3d`` for the arguments and shapes.
    """
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning ``(output, indices)``."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning ``(output, indices)``."""
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool3d`` returning ``(output, indices)``."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` returning ``(output, indices)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` returning ``(output, indices)``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)
