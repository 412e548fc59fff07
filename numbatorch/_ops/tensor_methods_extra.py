"""Tensor methods that mirror functions found elsewhere (``hardshrink``, ``prelu``, ``histogram``, ``i0``),
``logcumsumexp``, in-place forms of numerics (``deg2rad_``, ``copysign_``, ``float_power_`` ...), and the sparse
accessors of a dense tensor (which raise PyTorch's layout errors)."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from ..autograd.graph import Node
from ._util import apply_inplace, record
from .keyword_aliases import accept_aliases

__all__ = ["logcumsumexp"]


class LogcumsumexpBackward0(Node):
    """``grad_x_i = sum_{j >= i} g_j exp(x_i - out_j)``, summed in log space separately for positive and negative
    ``g`` so that nothing overflows."""

    __slots__ = ("x", "out", "axis")

    def backward(self, grad):
        x, out, axis = self.x, self.out, self.axis

        def reverse_logcumsumexp(a):
            flipped = np.flip(a, axis)
            return np.flip(np.logaddexp.accumulate(flipped, axis=axis), axis)
        with np.errstate(divide="ignore"):
            pos = reverse_logcumsumexp(np.log(np.where(grad > 0, grad, 0)) - out)
            neg = reverse_logcumsumexp(np.log(np.where(grad < 0, -grad, 0)) - out)
        return np.exp(x + pos) - np.exp(x + neg)


@tensor_method()
def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow."""
    x = input._data if input.is_floating_point() else input._data.astype(dt.get_default_dtype().np)
    if x.ndim == 0:
        return record(x.copy(), LogcumsumexpBackward0, (input,), x=x.reshape(1), out=x.reshape(1), axis=0)
    axis = normalize_dim(dim, x.ndim)
    out = np.logaddexp.accumulate(x, axis=axis) if x.size else x.copy()
    return record(out, LogcumsumexpBackward0, (input,), x=x, out=out, axis=axis)


@tensor_method("hardshrink")
def _hardshrink(self, lambd=0.5):
    """``F.hardshrink(self, lambd)``."""
    from ..nn.functional import hardshrink
    return hardshrink(self, lambd)


@tensor_method("prelu")
def _prelu(self, weight):
    """``F.prelu(self, weight)``."""
    from ..nn.functional import prelu
    return prelu(self, weight)


@tensor_method("histogram")
def _histogram(self, bins=100, *, range=None, weight=None, density=False):
    """``histogram(self, bins, ...)``: ``(hist, bin_edges)``."""
    from .numerics import histogram
    return histogram(self, bins, range=range, weight=weight, density=density)


@tensor_method("i0")
def _i0(self):
    """``special.i0(self)``."""
    from ..special import i0
    return i0(self)


def _inplace(name, fn):
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn(self, *args, **kwargs))
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{name[:-1]}``."
    tensor_method(name)(method)


def _float_power_inplace(self, exponent):
    if self.dtype is not dt.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {dt.LEGACY_NAME[self.dtype][6:-6]} but the "
                           "operation's result requires dtype Double")
    return self.float_power(exponent)


for _name in ("deg2rad", "rad2deg", "copysign", "ldexp", "gcd", "lcm", "nextafter", "renorm", "i0"):
    _inplace(_name + "_", getattr(Tensor, _name))
_inplace("float_power_", _float_power_inplace)
_inplace("negative_", Tensor.neg)


@tensor_method()
def narrow_copy(self, dim, start, length):
    """``narrow`` as a new tensor (not a view)."""
    return self.narrow(dim, start, length).clone()


@tensor_method()
def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                      pin_memory=False):
    """``empty_strided`` with ``self``'s dtype by default."""
    from .._creation import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, requires_grad=requires_grad)


@tensor_method()
def is_distributed(self):
    """Always ``False``: numbatorch tensors are not distributed."""
    return False


@tensor_method()
def is_set_to(self, tensor):
    """Whether both tensors view the same memory with the same shape and strides."""
    a, b = self._data, tensor._data
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides and a.dtype == b.dtype)


# ---- sparse accessors on dense tensors: PyTorch's layout errors ------------------------------------------
def _needs_sparse(name, kind="sparse coordinate tensor"):
    def method(self, *args, **kwargs):
        raise RuntimeError(f"{name} expected {kind} layout but got Strided")
    method.__name__ = method.__qualname__ = name
    method.__doc__ = "Sparse tensors only (see ``to_sparse``): PyTorch's error for a dense tensor."
    tensor_method(name)(method)


_needs_sparse("coalesce")
_needs_sparse("indices")
_needs_sparse("values", "sparse tensor")
_needs_sparse("is_coalesced")


@tensor_method()
def sparse_dim(self):
    """0: a dense tensor has no sparse dims."""
    return 0


@tensor_method()
def dense_dim(self):
    """All dims of a dense tensor are dense."""
    return self._data.ndim


accept_aliases(__name__)  # last: this module loads after keyword_aliases ran

