"""``F.pad``: constant, reflect, replicate and circular padding of the last dimensions."""
import operator

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


def _pad_ints(pad):
    """``pad`` as ints, with the TypeErrors of PyTorch's argument parser (it looks at the first element apart)."""
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    ints = []
    for i, p in enumerate(pad):
        try:
            if i == 0 and isinstance(p, bool):
                raise TypeError
            ints.append(operator.index(p))
        except TypeError:
            kind = type(p).__name__
            if i == 0:
                raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                                f"{kind} at pos 0") from None
            raise TypeError(f"pad(): argument 'pad' failed to unpack the object at pos {i + 1} with error \"type must "
                            f"be tuple of ints,but got {kind}\"") from None
    return ints


def _pairs(pad, ndim):
    pad = _pad_ints(pad)
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
    # PyTorch crops the negative paddings first (narrow), which fails on a negative length.
    if any(s + min(a, 0) + min(b, 0) < 0 for s, (a, b) in zip(x.shape[lead:], pairs)):
        raise RuntimeError("narrow(): length must be non-negative.")
    out_shape = x.shape[:lead] + tuple(s + a + b for s, (a, b) in zip(x.shape[lead:], pairs))
    out = np.full_like(x, value, shape=out_shape, order="C")
    src = [slice(None)] * lead
    dst = [slice(None)] * lead
    for s, (a, b) in zip(x.shape[lead:], pairs):
        src.append(slice(max(-a, 0), s - max(-b, 0)))
        dst.append(slice(max(a, 0), max(a, 0) + s - max(-a, 0) - max(-b, 0)))
    out[tuple(dst)] = x[tuple(src)]
    return record(out, ConstantPadNdBackward0, (input,), out_window=tuple(dst), in_window=tuple(src),
                  in_shape=x.shape)


# The padded dimensions' count -> the input ranks PyTorch's reflect/replicate/circular kernels take
# (unbatched, batched).
_SUPPORTED_RANKS = {1: (2, 3), 2: (3, 4), 3: (4, 5)}


def _too_small(shape, out, mode):
    names = "DHW"[3 - len(out):]
    sizes = dict(zip(names, shape))
    outs = " ".join(f"{n}: {o}" for n, o in zip(names, out))
    if len(out) == 1:
        inputs = f"W: {sizes['W']}"
    elif len(out) == 2:
        # PyTorch's replicate 2-d message has the stray space before ")".
        inputs = f"H: {sizes['H']}, W: {sizes['W']}" + (" " if mode == "replicate" else "")
    else:
        inputs = f"D: {sizes['D']} H: {sizes['H']}, W: {sizes['W']}"
    return RuntimeError(f"input ({inputs}) is too small. Calculated output {outs}")


def _check_index_pad(shape, pairs, mode):
    """PyTorch's checks for reflect/replicate/circular padding, in its order and with its messages."""
    k, ndim = len(pairs), len(shape)
    if ndim not in _SUPPORTED_RANKS.get(k, ()):
        raise NotImplementedError(f"Padding size {2 * k} is not supported for {ndim}D input tensor.\n"
                                  "Supported combinations for non-constant padding:\n"
                                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    first = ndim - k
    spatial = shape[first:]
    out = [s + a + b for s, (a, b) in zip(spatial, pairs)]
    if mode == "circular":
        for s, o, (a, b) in zip(spatial, out, pairs):
            if a > s or b > s:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if o < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    batched = ndim == k + 2
    if 0 in shape[1 if batched else 0:]:
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(shape)}")
    if mode == "reflect":
        # Checked from the last dimension (W) outwards; the argument number is the padding's position in
        # reflection_pad{k}d's signature.
        for i in reversed(range(k)):
            (a, b), s = pairs[i], spatial[i]
            if a >= s or b >= s:
                raise RuntimeError(f"Argument #{4 + 2 * (k - 1 - i)}: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({a}, {b}) at dimension "
                                   f"{first + i} of input {list(shape)}")
    # A zero-sized output dimension is allowed beside non-empty ones (an empty result), as in PyTorch.
    if all(o < 1 for o in out) or any(o < 0 for o in out):
        raise _too_small(spatial, out, mode)


def _crop(index, pairs):
    return index[tuple(slice(max(-a, 0), n - max(-b, 0)) for n, (a, b) in zip(index.shape, pairs))]


def _index_pad(input, pairs, mode):
    x = input._data
    _check_index_pad(x.shape, pairs, mode)
    k = len(pairs)
    spatial = x.shape[x.ndim - k:]
    index = np.arange(int(np.prod(spatial)), like=x).reshape(spatial)
    growth = [(max(a, 0), max(b, 0)) for a, b in pairs]
    # A negative padding crops. PyTorch reflects/replicates the whole input and then crops, but wraps the
    # cropped input around (copying inside its output, which fails where a wrap is longer than what is left).
    if mode == "circular":
        index = _crop(index, pairs)
        if any(g > n for n, pair in zip(index.shape, growth) for g in pair):
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location. Please clone() the tensor before performing the "
                               "operation.")
        index = np.pad(index, growth, mode="wrap")
    else:
        index = _crop(np.pad(index, growth, mode=_NUMPY_MODES[mode]), pairs)
    out_spatial = index.shape
    index = index.reshape(-1)
    lead = x.shape[:x.ndim - k]
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
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    return _index_pad(input, pairs, mode)


__all__ = ["pad"]
