"""Pooling: max (+indices) / unpool, average, adaptive, fractional and LP pooling in 1-d, 2-d and 3-d.

Each op records one node whose backward calls the matching kernel of ``backends/cpu/pool.py``.
"""
import numpy as np

from ... import _tensor
from ..._ops._util import record
from ...autograd.graph import Node, with_zero_input_edges
from ...backends import kernel_family
from ..._ops._half_precision import computes_in_float32
from ..._ops._dtype_args import require_float_or_double, scalar_name
from ._shape_args import fmt_size, pool_ntuple, pool_stride
from ..._ops._tensor_args import require_tensor

kernels = kernel_family("pool")

def _check_input(name, x, nd, integers=False):
    """PyTorch's checks of a pooling input: (N, C, *spatial) or (C, *spatial), floating (or integer, with
    ``integers``), no empty non-batch dim."""
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input tensor, but got "
                           f"input of size [{fmt_size(x.shape)}]" if nd > 1 else
                           f"{name}: Expected 2D or 3D input tensor, but got [{fmt_size(x.shape)}]")
    if x.dtype not in (np.float32, np.float64) and not (integers and x.dtype.kind in "iu"):
        if x.dtype.kind in "iub":   # refused by PyTorch's dispatch, before the kernel runs
            raise NotImplementedError(f'"{name}" not implemented for \'{scalar_name(x.dtype)}\'')
        raise RuntimeError(f"expected input to have a floating dtype (float32 or float64), got {x.dtype}")
    lead, sp = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    if any(s == 0 for s in sp) or any(s == 0 for s in lead[1:]):
        raise RuntimeError(f"{name}: Expected input to have non-zero size for non-batch dimensions, "
                           f"but got input of size [{fmt_size(x.shape)}]")


def _check_window(name, x, nd, k, s, p, d, ceil_mode):
    """PyTorch's checks of a sliding window (kernel k, stride s, padding p, dilation d) and its output size."""
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero")
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero" if any(v == 0 for v in s)
                           else f"{name}: stride must be greater than zero")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero")
    for i in range(nd):
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2 or p[i] < 0:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p[i]}, kernel_size={k[i]} and dilation={d[i]}")
    sp = x.shape[x.ndim - nd:]
    out = tuple(kernels.pool_output_size(sp[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd))
    if any(o <= 0 for o in out):
        insz = "x".join(str(v) for v in x.shape[x.ndim - nd - 1:])
        outsz = "x".join(str(v) for v in (x.shape[x.ndim - nd - 1],) + out)
        raise RuntimeError(f"Given input size: ({insz}). Calculated output size: ({outsz}). "
                           "Output size is too small")


def _indices_tensor(idx):
    """The indices a pool returns, as PyTorch's int64 (the CPU kernels keep them as int32 where they fit)."""
    return _tensor.Tensor._make(idx.astype(np.int64, copy=False))


# ----------------------------------------------------------------------------- max pool

class _IndexedPoolBackward(Node):
    """Backward of every pool that returns PyTorch-style indices: scatter grad to the argmax."""

    __slots__ = ("x_shape", "indices", "nd")
    history_only_inputs = True  # backward reads the input's shape only (PyTorch's saves no input)

    def backward(self, grad):
        return kernels.max_pool_backward(grad, self.x_shape, self.indices, self.nd)

    def backward_graph(self, grad):
        # The scatter to the maxima is linear in grad; its own gradient gathers at the same indices (unpool's).
        return with_zero_input_edges(
            self, record(self.backward(grad._data), _MaxUnpoolBackward, (grad,), indices=self.indices, nd=self.nd))


def _node(name, base):
    return type(name, (base,), {"__slots__": ()})


MaxPool2DWithIndicesBackward0 = _node("MaxPool2DWithIndicesBackward0", _IndexedPoolBackward)
MaxPool3DWithIndicesBackward0 = _node("MaxPool3DWithIndicesBackward0", _IndexedPoolBackward)


def _indexed_result(input, out, idx, node_cls, nd, return_indices):
    res = record(out, node_cls, (input,), x_shape=input._data.shape, indices=idx, nd=nd)
    return (res, _indices_tensor(idx)) if return_indices else res


@computes_in_float32
def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    fname = f"max_pool{nd}d"
    require_tensor(fname, input)
    k = pool_ntuple(kernel_size, nd, fname, "kernel_size")
    s = pool_stride(stride, k, nd, fname)
    p = pool_ntuple(padding, nd, fname, "padding")
    d = pool_ntuple(dilation, nd, fname, "dilation")
    # PyTorch's 2-d and 3-d max pool kernels take integer inputs too, its 1-d one does not
    _check_input(fname, input._data, nd, integers=nd > 1)
    _check_window(fname, input._data, nd, k, s, p, d, ceil_mode)
    out, idx = kernels.max_pool_forward(input._data, k, s, p, d, bool(ceil_mode))
    node = MaxPool3DWithIndicesBackward0 if nd == 3 else MaxPool2DWithIndicesBackward0
    return _indexed_result(input, out, idx, node, nd, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling; with ``return_indices`` also the indices of the maxima.

    See ``nn.MaxPool1d`` for the arguments and shapes.
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling; with ``return_indices`` also the indices of the maxima.

    See ``nn.MaxPool2d`` for the arguments and shapes.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling; with ``return_indices`` also the indices of the maxima.

    See ``nn.MaxPool3d`` for the arguments and shapes.
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """1-D max pooling returning ``(output, indices)``.

    See ``nn.MaxPool1d`` for the arguments and shapes.
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """2-D max pooling returning ``(output, indices)``.

    See ``nn.MaxPool2d`` for the arguments and shapes.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """3-D max pooling returning ``(output, indices)``.

    See ``nn.MaxPool3d`` for the arguments and shapes.
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ----------------------------------------------------------------------------- max unpool

class _MaxUnpoolBackward(Node):
    __slots__ = ("indices", "nd")

    def backward(self, grad):
        return kernels.max_unpool_backward(grad, self.indices, self.nd)

    def backward_graph(self, grad):
        # The gather is linear in grad; its own gradient scatters back to the same indices (max pool's).
        return record(self.backward(grad._data), _IndexedPoolBackward, (grad,), x_shape=grad._data.shape,
                      indices=self.indices, nd=self.nd)


MaxUnpool2DBackward0 = _node("MaxUnpool2DBackward0", _MaxUnpoolBackward)
MaxUnpool3DBackward0 = _node("MaxUnpool3DBackward0", _MaxUnpoolBackward)


def _unpool_output_size(in_shape, kernel, stride, padding, output_size):
    nd = len(kernel)
    default = [(in_shape[len(in_shape) - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(nd)]
    if output_size is None:
        return tuple(default)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
                         f"a length of '{len(output_size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return tuple(int(v) for v in output_size)


@computes_in_float32
def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    fname = f"max_unpool{nd}d"
    k = pool_ntuple(kernel_size, nd, fname, "kernel_size")
    s = pool_stride(stride, k, nd, fname)
    p = pool_ntuple(padding, nd, fname, "padding")
    osz = _unpool_output_size(input.shape, k, s, p, output_size)
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    x = input._data
    if x.shape != idx.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({fmt_size(x.shape)}) but got indices tensor with shape: ({fmt_size(idx.shape)})")
    plane = int(np.prod(osz))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.max() if idx.max() >= plane else idx.min()
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(v) for v in osz)})")
    out = kernels.max_unpool_forward(x, idx, osz)
    node = MaxUnpool3DBackward0 if nd == 3 else MaxUnpool2DBackward0
    return record(out, node, (input,), indices=idx, nd=nd)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool1d``: values put back at their indices, zeros elsewhere.

    See ``nn.MaxUnpool1d`` for the arguments and shapes.
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool2d``: values put back at their indices, zeros elsewhere.

    See ``nn.MaxUnpool2d`` for the arguments and shapes.
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool3d``: values put back at their indices, zeros elsewhere.

    See ``nn.MaxUnpool3d`` for the arguments and shapes.
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ----------------------------------------------------------------------------- average pool

class _AvgPoolBackward(Node):
    __slots__ = ("x_shape", "args")

    def backward(self, grad):
        return kernels.avg_pool_backward(grad, self.x_shape, *self.args)

    def backward_graph(self, grad):
        return with_zero_input_edges(
            self, record(self.backward(grad._data), _AvgPoolGradBackward, (grad,), args=self.args))


class _AvgPoolGradBackward(Node):
    """Graph of an average pool's gradient: linear in it, with the pool itself as its adjoint."""

    __slots__ = ("args",)

    def backward(self, grad):
        return kernels.avg_pool_forward(grad, *self.args)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _AvgPoolBackward, (grad,), x_shape=grad._data.shape,
                      args=self.args)


AvgPool2DBackward0 = _node("AvgPool2DBackward0", _AvgPoolBackward)
AvgPool3DBackward0 = _node("AvgPool3DBackward0", _AvgPoolBackward)


@computes_in_float32
def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    fname = f"avg_pool{nd}d"
    require_tensor(fname, input)
    k = pool_ntuple(kernel_size, nd, fname, "kernel_size")
    s = pool_stride(stride, k, nd, fname)
    p = pool_ntuple(padding, nd, fname, "padding")
    _check_input(fname, input._data, nd, integers=True)
    if input._data.dtype.kind in "iu" and input._data.dtype != np.int64:
        # PyTorch's kernels take int64 (means truncated toward zero, as its integer division) but no other integers
        raise NotImplementedError(f'"{"avg_pool3d_out_frame" if nd == 3 else "avg_pool2d"}" not implemented for '
                                  f"'{scalar_name(input._data.dtype)}'")
    _check_window(fname, input._data, nd, k, s, p, (1,) * nd, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    args = (k, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override)
    out = kernels.avg_pool_forward(input._data, *args)
    node = AvgPool3DBackward0 if nd == 3 else AvgPool2DBackward0
    return record(out, node, (input,), x_shape=input._data.shape, args=args)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling.

    See ``nn.AvgPool1d`` for the arguments and shapes.
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling.

    See ``nn.AvgPool2d`` for the arguments and shapes.
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling.

    See ``nn.AvgPool3d`` for the arguments and shapes.
    """
    if isinstance(input, _tensor.Tensor):  # PyTorch's 3-D kernel has no half-precision build
        require_float_or_double("avg_pool3d_out_frame", input._data)
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# ----------------------------------------------------------------------------- adaptive




# ----------------------------------------------------------------------------- fractional


# ----------------------------------------------------------------------------- LP pool

@computes_in_float32
def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    from .activation import relu
    from ... import abs as _abs, sign as _sign
    if norm_type == float("inf"):
        return _max_pool(nd, input.abs(), kernel_size, stride, 0, 1, ceil_mode, False)
    if norm_type == -float("inf"):
        return -_max_pool(nd, -input.abs(), kernel_size, stride, 0, 1, ceil_mode, False)
    k = pool_ntuple(kernel_size, nd, f"lp_pool{nd}d", "kernel_size")
    out = _avg_pool(nd, input.pow(norm_type), k, stride, 0, ceil_mode, True, None)
    return (_sign(out) * relu(_abs(out))).mul(int(np.prod(k))).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    See ``nn.LPPool1d`` for the arguments and shapes.
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    See ``nn.LPPool2d`` for the arguments and shapes.
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling ``(sum x^p) ^ (1 / p)`` with ``p = norm_type``.

    See ``nn.LPPool3d`` for the arguments and shapes.
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


__all__ = [
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_pool1d", "max_pool2d",
    "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
]
