"""``F.pad``: constant, reflect, replicate and circular padding of the last dimensions."""
import numpy as np

from ..._ops._util import record, zeros
from ...autograd.graph import Node

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class ConstantPadNdBackward0(Node):
    """The gradient is the padded output's window onto the input (zeros where the input was cropped)."""

    __slots__ = ("out_window", "in_window", "in_shape")

    def backward(self, grad):
        g = zeros(self.in_shape, grad.dtype, like=grad)
        g[self.in_window] = grad[self.out_window]
        return g

    def backward_graph(self, grad):
        from ..._ops.views import slice_grad
        return slice_grad(grad[self.out_window], self.in_shape, self.in_window)


class ReflectionPadBackward0(Node):
    """Backward of padding by index gather: scatter-add each output element back to its source."""

    __slots__ = ("index", "in_shape", "k")

    def backward(self, grad):
        lead = int(np.prod(grad.shape[:grad.ndim - self.k]))
        g = zeros((lead, int(np.prod(self.in_shape[len(self.in_shape) - self.k:]))), grad.dtype, like=grad)
        np.add.at(g, (slice(None), self.index), grad.reshape(lead, self.index.size))
        return g.reshape(self.in_shape)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), _IndexPadGradBackward, (grad,), index=self.index, k=self.k,
                      out_shape=grad._data.shape)


class _IndexPadGradBackward(Node):
    """Graph of an index padding's gradient (a scatter-add): its own gradient is the padding's gather again."""

    __slots__ = ("index", "k", "out_shape")

    def backward(self, grad):
        lead = int(np.prod(grad.shape[:grad.ndim - self.k]))
        return grad.reshape(lead, -1)[:, self.index].reshape(self.out_shape)

    def backward_graph(self, grad):
        return record(self.backward(grad._data), ReflectionPadBackward0, (grad,), index=self.index,
                      in_shape=grad._data.shape, k=self.k)


def _pairs(pad, ndim):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {ndim}")
    # pad lists (left, right) from the last dimension backwards.
    return [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(k)][::-1]


def _constant_pad(input, pairs, value):
    x = input._data
    k = len(pairs)
    lead = x.ndim - k
    out_shape = x.shape[:lead] + tuple(s + a + b for s, (a, b) in zip(x.shape[lead:], pairs))
    if any(s < 0 for s in out_shape):
        raise RuntimeError(f"The input size {x.shape[lead:]}, plus negative padding {pairs} resulted in a negative "
                           f"output size, which is invalid. Check dimension of your input.")
    out = np.full_like(x, value, shape=out_shape, order="C")
    src = [slice(None)] * lead
    dst = [slice(None)] * lead
    for s, (a, b) in zip(x.shape[lead:], pairs):
        src.append(slice(max(-a, 0), s - max(-b, 0)))
        dst.append(slice(max(a, 0), max(a, 0) + s - max(-a, 0) - max(-b, 0)))
    out[tuple(dst)] = x[tuple(src)]
    return record(out, ConstantPadNdBackward0, (input,), out_window=tuple(dst), in_window=tuple(src),
                  in_shape=x.shape)


def _index_pad(input, pairs, mode):
    x = input._data
    k = len(pairs)
    spatial = x.shape[x.ndim - k:]
    for s, (a, b) in zip(spatial, pairs):
        if mode == "reflect" and (a >= s or b >= s):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({a}, {b}) at dimension {len(spatial)} of input {list(x.shape)}")
        if mode == "circular" and (a > s or b > s):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    index = np.arange(int(np.prod(spatial)), like=x).reshape(spatial)
    index = np.pad(index, pairs, mode=_NUMPY_MODES[mode]).reshape(-1)
    lead = x.shape[:x.ndim - k]
    out_spatial = tuple(s + a + b for s, (a, b) in zip(spatial, pairs))
    out = x.reshape(lead + (int(np.prod(spatial)),))[..., index].reshape(lead + out_spatial)
    return record(out, ReflectionPadBackward0, (input,), index=index, in_shape=x.shape, k=k)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions; ``pad`` lists (left, right) pairs from the last dim backwards."""
    pairs = _pairs(pad, input.dim())
    if mode == "constant":
        return _constant_pad(input, pairs, 0 if value is None else value)
    if mode not in _NUMPY_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value not in (None, 0):
        raise AssertionError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    return _index_pad(input, pairs, mode)


__all__ = ["pad"]
