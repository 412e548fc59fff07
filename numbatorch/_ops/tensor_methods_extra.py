"""Tensor methods that mirror functions found elsewhere (``hardshrink``, ``prelu``, ``histogram``, ``i0``),
``logcumsumexp``, in-place forms of numerics (``deg2rad_``, ``copysign_``, ``float_power_`` ...), and the sparse
accessors of a dense tensor (which raise PyTorch's layout errors)."""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, normalize_dim, tensor_method
from ..autograd.graph import Node, operand, recomputed_output
from ..backends._arrays import as_strided as strided_view
from ._linear_grad import linear_grad
from ._util import _name_as_tensor_method, apply_inplace, record, zeros
from .keyword_aliases import accept_aliases

__all__ = ["logcumsumexp", "as_strided"]


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

    def backward_graph(self, grad):
        x, axis = operand(self, 0, self.x), self.axis
        if x.dim() == 0:
            return grad * 1
        out = recomputed_output(self, x.logcumsumexp(axis), self.out)
        # exp(x_i - out_j) as exp(x_i - c) exp(c - out_j), c the running value's first (smallest) element: a
        # constant, so the product keeps its graph
        c = Tensor._make(np.take(self.out, [0], axis=axis))
        terms = grad * (c - out).exp()
        return (x - c).exp() * terms.flip(axis).cumsum(axis).flip(axis)


@tensor_method()
def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow."""
    x = input._data if input.is_floating_point() else input._data.astype(dt.get_default_dtype().np)
    if x.ndim == 0:
        return record(x.copy(), LogcumsumexpBackward0, (input,), x=x.reshape(1), out=x.reshape(1), axis=0)
    axis = normalize_dim(dim, x.ndim)
    out = np.logaddexp.accumulate(x, axis=axis) if x.size else x.copy()
    return record(out, LogcumsumexpBackward0, (input,), x=x, out=out, axis=axis)


def _storage_of(data):
    """The flat storage ``data`` views (its root array when that is contiguous) and ``data``'s offset in it."""
    root = data
    # a device array's base is of its own kind; the simulator's device arrays view plain host ndarrays
    while type(root.base) in (np.ndarray, type(data)):
        root = root.base
    if not root.flags.c_contiguous or root.dtype != data.dtype:
        return np.ascontiguousarray(data, like=data).reshape(-1), 0, None
    offset = (_address(data) - _address(root)) // data.itemsize
    flat = root.reshape(-1)
    return (flat if type(flat) is type(data) else flat.view(type(data))), offset, root


def _address(a):
    """Address of ``a``'s first element: host memory's, or a CuPy array's device pointer."""
    return a.__array_interface__["data"][0] if isinstance(a, np.ndarray) else a.data.ptr


def _storage_index(shape, strides, offset, like):
    """Flat storage index of every element of a (shape, element strides, offset) view, on ``like``'s device."""
    index = np.full(tuple(shape), offset, dtype=np.int64, like=like)
    for axis, (n, st) in enumerate(zip(shape, strides)):
        index = index + (np.arange(n, like=like) * st).reshape((n,) + (1,) * (len(shape) - axis - 1))
    return index


class AsStridedBackward0(Node):
    """Each output's gradient lands on the storage element it read; the input takes the gradients of its own."""

    __slots__ = ("storage_size", "out_index", "in_index")

    def backward(self, grad):
        storage = zeros(self.storage_size, grad.dtype, like=grad)
        np.add.at(storage, self.out_index.reshape(-1), grad.reshape(-1))
        return storage[self.in_index]

    def backward_graph(self, grad):
        size, out_index, in_index = self.storage_size, self.out_index, self.in_index

        def through_storage(g, index_from, index_to):
            storage = zeros(size, g.dtype, like=g)
            np.add.at(storage, index_from.reshape(-1), g.reshape(-1))
            return storage[index_to]
        return linear_grad(grad, lambda g: through_storage(g, out_index, in_index),
                           lambda h: through_storage(h, in_index, out_index))


@tensor_method()
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given ``size``, element ``stride`` and ``storage_offset``."""
    data = input._data
    flat, own_offset, root = _storage_of(data)
    offset = own_offset if storage_offset is None else int(storage_offset)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * st for n, st in zip(size, stride))
    if needed > flat.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {data.itemsize} requiring a storage size of {needed * data.itemsize} are out "
                           f"of bounds for storage of size {flat.size * data.itemsize}")
    out = strided_view(flat[offset:], size, tuple(st * data.itemsize for st in stride))
    own_strides = tuple(st // data.itemsize for st in data.strides) if root is not None else \
        tuple(int(np.prod(data.shape[i + 1:])) for i in range(data.ndim))
    return record(out, AsStridedBackward0, (input,), storage_size=flat.size,
                  out_index=_storage_index(size, stride, offset, data),
                  in_index=_storage_index(data.shape, own_strides, own_offset, data))


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
    _name_as_tensor_method(method, name)
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
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """In-place ``scatter_reduce``."""
    return apply_inplace(self, self.scatter_reduce(dim, index, src, reduce, include_self=include_self))


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
    _name_as_tensor_method(method, name)
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

