"""Shape arguments of the conv, pool and fold ops: int-to-tuple with PyTorch's messages, the 'same' padding rule.

Family modules normalise their arguments here once, above the kernels; kernels take the tuples.
"""
import numpy as np


def _expand(value, n):
    """Ints as a tuple: an int or a 1-sequence repeated ``n`` times, a longer sequence as it is."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    return value * n if len(value) == 1 else value


def ntuple(value, n, name="argument"):
    """An int (or 1-sequence) as an n-tuple of ints; PyTorch's convolution message for a wrong length."""
    value = _expand(value, n)
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(value)}")
    return value


_WORDS = {1: "one", 2: "two", 3: "three"}


def pool_ntuple(value, nd, fname, argname, optional=False):
    """An int or sequence as an nd-tuple of ints; PyTorch's pooling message for a wrong length."""
    value = _expand(value, nd)
    if len(value) != nd:
        omitted = "be omitted, " if optional else ""
        raise RuntimeError(f"{fname}: {argname} must either {omitted}be a single int, or a tuple of "
                           f"{_WORDS[nd]} ints")
    return value


def pool_stride(stride, kernel, nd, fname):
    """A pooling stride as an nd-tuple; None or an empty sequence means the kernel size."""
    if stride is None or (not isinstance(stride, (int, np.integer)) and len(stride) == 0):
        return kernel
    return pool_ntuple(stride, nd, fname, "stride", optional=True)


def _ntuple(n):
    """A parser repeating a scalar ``n`` times and passing sequences through (``nn.modules.utils._ntuple``)."""
    def parse(x):
        if isinstance(x, (list, tuple)):
            return tuple(x)
        return (x,) * n
    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)


def _reverse_repeat_tuple(t, n):
    """(a, b) -> (b, b, a, a) for n=2: the F.pad layout (last dim first) of symmetric padding."""
    return tuple(x for x in reversed(t) for _ in range(n))


def same_padding(kernel_size, dilation):
    """Per-dim (left, right) zero padding for padding='same': the odd remainder goes right, like PyTorch."""
    pads = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def fmt_size(shape, sep=", "):
    """A shape as PyTorch prints it inside ``[...]`` (or ``(... x ...)`` with ``sep=' x '``)."""
    return sep.join(str(int(s)) for s in shape)
