"""Discrete Fourier transforms (``torch.fft``) on numpy.fft, with PyTorch's gradients.

Every transform is linear, so its gradient is the adjoint transform: the inverse transform with the dual
normalisation ("backward" <-> "forward", "ortho" itself), after undoing the padding or cropping to ``n``/``s``.
The one-sided transforms also fold in the half spectrum they leave out. Nodes take and give gradients in
PyTorch's complex convention (``complex_aware``).
"""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.graph import Node
from ._linear_grad import linear_grad
from ._util import normalize_dim, record

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_DUAL_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL_NORM:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _array(input, name):
    """``input``'s array, floating or complex (integers and bools promote to the default dtype)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    arr = input._data
    if arr.dtype.kind in "biu":
        return arr.astype(dt.get_default_dtype().np)
    if arr.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        raise RuntimeError(f"Unsupported dtype {dt._BY_NP[arr.dtype]._scalar_name}")
    return arr


def _axes_and_sizes(arr, s, dim, default_dim):
    """Normalised axes and their signal sizes (``s``, or the input's)."""
    if dim is None:
        dim = default_dim if default_dim is not None else (
            tuple(range(arr.ndim)) if s is None else tuple(range(arr.ndim - len(s), arr.ndim)))
    axes = tuple(normalize_dim(d, arr.ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    if len(set(axes)) != len(axes):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        sizes = tuple(arr.shape[a] for a in axes)
    else:
        sizes = (s,) if isinstance(s, int) else tuple(s)
        if len(sizes) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        sizes = tuple(arr.shape[a] if n == -1 else n for a, n in zip(axes, sizes))
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return axes, sizes


def _fit(arr, axes, sizes):
    """``arr`` cropped or zero-padded along ``axes`` to ``sizes`` (the gradient undoes forward's ``n``/``s``)."""
    index = [slice(None)] * arr.ndim
    pad = [(0, 0)] * arr.ndim
    for a, n in zip(axes, sizes):
        index[a] = slice(0, min(n, arr.shape[a]))
        pad[a] = (0, max(0, n - arr.shape[a]))
    arr = arr[tuple(index)]
    return np.pad(arr, pad) if any(p for _, p in pad) else arr


def _fit_graph(t, axes, sizes):
    """``_fit`` on a Tensor, differentiably: cropped by slicing, zero-padded by a recorded linear map."""
    index = [slice(None)] * t.dim()
    for a, n in zip(axes, sizes):
        index[a] = slice(0, min(n, t.shape[a]))
    t = t[tuple(index)]
    pad = [(0, 0)] * t.dim()
    for a, n in zip(axes, sizes):
        pad[a] = (0, max(0, n - t.shape[a]))
    if any(p for _, p in pad):
        crop = tuple(slice(0, s) for s in t.shape)
        t = linear_grad(t, lambda g: np.pad(g, pad), lambda h: h[crop])
    return t


class FftC2CBackward0(Node):
    """Gradient of a full complex transform: the adjoint transform, cropped or padded back."""

    __slots__ = ("axes", "sizes", "norm", "forward", "in_sizes")
    complex_aware = True

    def backward(self, grad):
        adjoint = np.fft.ifftn if self.forward else np.fft.fftn
        g = adjoint(grad, s=self.sizes, axes=self.axes, norm=_DUAL_NORM[self.norm])
        return _fit(g, self.axes, self.in_sizes)

    def backward_graph(self, grad):
        adjoint = ifftn if self.forward else fftn
        g = adjoint(grad, s=self.sizes, dim=self.axes, norm=_DUAL_NORM[self.norm])
        return _fit_graph(g, self.axes, self.in_sizes)


class FftR2CBackward0(FftC2CBackward0):
    """Gradient of a transform of a real signal (one-sided or not): the real part of the adjoint."""

    __slots__ = ("onesided",)

    def backward(self, grad):
        if self.onesided:  # the left-out half of the spectrum has no gradient: extend by zeros
            grad = _fit(grad, self.axes[-1:], self.sizes[-1:])
        g = np.fft.ifftn(grad, s=self.sizes, axes=self.axes, norm=_DUAL_NORM[self.norm])
        return _fit(g.real, self.axes, self.in_sizes)

    def backward_graph(self, grad):
        if self.onesided:
            grad = _fit_graph(grad, self.axes[-1:], self.sizes[-1:])
        g = ifftn(grad, s=self.sizes, dim=self.axes, norm=_DUAL_NORM[self.norm])
        return _fit_graph(g.real, self.axes, self.in_sizes)


class FftC2RBackward0(Node):
    """Gradient of a Hermitian (one-sided) to real transform: the one-sided transform of the gradient with the
    bins that stand for two (all but DC and Nyquist) doubled, as in PyTorch."""

    __slots__ = ("axes", "sizes", "norm", "in_sizes")
    complex_aware = True

    def backward(self, grad):
        g = np.fft.rfftn(grad, s=self.sizes, axes=self.axes, norm=_DUAL_NORM[self.norm])
        last = self.axes[-1]
        doubled = self.sizes[-1] - g.shape[last]
        if doubled > 0:
            index = [slice(None)] * g.ndim
            index[last] = slice(1, 1 + doubled)
            g[tuple(index)] *= 2
        return _fit(g, self.axes, self.in_sizes)

    def backward_graph(self, grad):
        g = rfftn(grad, s=self.sizes, dim=self.axes, norm=_DUAL_NORM[self.norm])
        last = self.axes[-1]
        doubled = self.sizes[-1] - g.shape[last]
        if doubled > 0:
            scale = np.ones_like(g._data.real, shape=g.shape[last])
            scale[1:1 + doubled] = 2
            g = g * Tensor._make(scale.reshape([-1 if a == last else 1 for a in range(g.dim())]))
        return _fit_graph(g, self.axes, self.in_sizes)


def _c2c(input, s, dim, norm, forward, name, default_dim=None):
    arr = _array(input, name)
    axes, sizes = _axes_and_sizes(arr, s, dim, default_dim)
    norm = _norm(norm)
    transform = np.fft.fftn if forward else np.fft.ifftn
    out = transform(arr, s=sizes, axes=axes, norm=norm).astype(dt._BY_NP[arr.dtype].to_complex().np, copy=False)
    in_sizes = tuple(arr.shape[a] for a in axes)
    if arr.dtype.kind == "c":
        return record(out, FftC2CBackward0, (input,), axes=axes, sizes=sizes, norm=norm, forward=forward,
                      in_sizes=in_sizes)
    return record(out, FftR2CBackward0, (input,), axes=axes, sizes=sizes, norm=norm, forward=forward,
                  in_sizes=in_sizes, onesided=False)


def _r2c(input, s, dim, norm, name, default_dim=None):
    arr = _array(input, name)
    if arr.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {dt._BY_NP[arr.dtype]._scalar_name}")
    axes, sizes = _axes_and_sizes(arr, s, dim, default_dim)
    norm = _norm(norm)
    out = np.fft.rfftn(arr, s=sizes, axes=axes, norm=norm).astype(dt._BY_NP[arr.dtype].to_complex().np,
                                                                  copy=False)
    return record(out, FftR2CBackward0, (input,), axes=axes, sizes=sizes, norm=norm, forward=True,
                  in_sizes=tuple(arr.shape[a] for a in axes), onesided=True)


def _c2r(input, s, dim, norm, name, default_dim=None):
    arr = _array(input, name)
    if dim is None and s is not None:
        dim = tuple(range(arr.ndim - len(s), arr.ndim))
    axes, in_sizes = _axes_and_sizes(arr, None, dim, default_dim)
    given = (-1,) * len(axes) if s is None else tuple(s)
    if len(given) != len(axes):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    sizes = [n if g == -1 else g for n, g in zip(in_sizes, given)]
    if given[-1] == -1:  # the real signal the one-sided spectrum stands for
        sizes[-1] = 2 * (in_sizes[-1] - 1)
    if min(sizes) < 1:
        raise RuntimeError(f"Invalid number of data points ({min(sizes)}) specified")
    sizes = tuple(sizes)
    norm = _norm(norm)
    out = np.fft.irfftn(arr, s=sizes, axes=axes, norm=norm).astype(dt._BY_NP[arr.dtype].to_real().np, copy=False)
    return record(out, FftC2RBackward0, (input,), axes=axes, sizes=sizes, norm=norm, in_sizes=in_sizes)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional discrete Fourier transform of ``input`` along ``dim`` (padded or cropped to ``n``)."""
    return _c2c(input, None if n is None else (n,), (dim,), norm, True, "fft")


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional inverse discrete Fourier transform along ``dim``."""
    return _c2c(input, None if n is None else (n,), (dim,), norm, False, "ifft")


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional discrete Fourier transform over ``dim``."""
    return _c2c(input, s, dim, norm, True, "fft2")


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional inverse discrete Fourier transform over ``dim``."""
    return _c2c(input, s, dim, norm, False, "ifft2")


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional discrete Fourier transform over ``dim`` (default: all dims, or the last ``len(s)``)."""
    return _c2c(input, s, dim, norm, True, "fftn")


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional inverse discrete Fourier transform over ``dim``."""
    return _c2c(input, s, dim, norm, False, "ifftn")


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Fourier transform of a real signal along ``dim``: the ``n // 2 + 1`` non-negative frequencies."""
    return _r2c(input, None if n is None else (n,), (dim,), norm, "rfft")


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional Fourier transform of a real signal, one-sided in the last of ``dim``."""
    return _r2c(input, s, dim, norm, "rfft2")


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional Fourier transform of a real signal, one-sided in the last of ``dim``."""
    return _r2c(input, s, dim, norm, "rfftn")


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``rfft``: a real signal of length ``n`` (default ``2 * (input.size(dim) - 1)``)."""
    return _c2r(input, None if n is None else (n,), (dim,), norm, "irfft")


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Inverse of ``rfft2``: a real signal over ``dim``."""
    return _c2r(input, s, dim, norm, "irfft2")


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of ``rfftn``: a real signal over ``dim``."""
    return _c2r(input, s, dim, norm, "irfftn")


def _frequencies(values, dtype, requires_grad):
    d = dt.as_dtype(dtype) or dt.get_default_dtype()
    t = Tensor._make(values.astype(d.np))
    if requires_grad:
        t.requires_grad_()
    return t


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of a length-``n`` transform with sample spacing ``d``: ``[0, 1, ..., -1] / (d n)``."""
    return _frequencies(np.fft.fftfreq(n, d), dtype, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of a length-``n`` ``rfft``: ``[0, 1, ..., n // 2] / (d n)``."""
    return _frequencies(np.fft.rfftfreq(n, d), dtype, requires_grad)


def _shift(input, dim, sign):
    dims = tuple(range(input.dim())) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    shifts = tuple(sign * (input.shape[d] // 2) for d in dims)
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """Moves the zero frequency to the middle of ``dim`` (default: every dim): a roll by ``size // 2``."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """Inverse of ``fftshift``: a roll by ``-(size // 2)``."""
    return _shift(input, dim, -1)
