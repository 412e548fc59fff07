"""Questions about tensors and dtypes: ``is_tensor``, ``numel``, ``result_type``, ``can_cast``, ``is_nonzero`` ...,
Tensor's ``nbytes``/``itemsize``/``get_device``/``new``, and the constants ``e``, ``pi``, ``inf``, ``nan``."""
import math

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method

__all__ = ["is_tensor", "is_storage", "is_floating_point", "is_complex", "is_nonzero", "is_same_size", "is_signed",
           "numel", "result_type", "can_cast", "typename", "e", "pi", "inf", "nan", "newaxis"]

e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis = None


def is_tensor(obj):
    """True for numbatorch tensors (and their subclasses such as Parameter)."""
    return isinstance(obj, Tensor)


def is_storage(obj):
    """numbatorch has no separate storage objects: always False."""
    return False


def is_floating_point(input):
    """Whether ``input``'s dtype is a floating-point type."""
    return input.is_floating_point()


def is_complex(input):
    """Whether ``input``'s dtype is a complex type."""
    return input.is_complex()


@tensor_method()
def is_nonzero(input):
    """The truth of a one-element tensor; RuntimeError for any other size (PyTorch's messages)."""
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


@tensor_method()
def is_same_size(input, other):
    """Whether ``input`` and ``other`` have the same shape."""
    return input._data.shape == other._data.shape


@tensor_method()
def is_signed(input):
    """Whether ``input``'s dtype is signed (all but ``uint8`` and ``bool``)."""
    return input.dtype.is_signed


def numel(input):
    """Number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype PyTorch's type promotion gives an op on ``tensor1`` and ``tensor2`` (tensors or numbers)."""
    return dt.result_type(tensor1, tensor2)


def can_cast(from_, to):
    """Whether casting ``from_`` to ``to`` is allowed by PyTorch's rules (no float -> int, no to bool)."""
    return from_._category <= to._category


def typename(obj):
    """``'torch.FloatTensor'`` for a tensor, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module == "builtins" else f"{module}.{name}"


Tensor.nbytes = property(lambda self: self._data.nbytes, doc="Bytes held by the elements.")
Tensor.itemsize = property(lambda self: self._data.itemsize, doc="Bytes per element.")


@tensor_method()
def get_device(self):
    """The CUDA device index of a 'cuda' tensor; -1 for a CPU tensor."""
    return self.device.index if self.is_cuda else -1


@tensor_method()
def new(self, *args, device=None):
    """Legacy constructor with ``self``'s dtype: ``x.new(2, 3)`` (uninitialised), ``x.new([1, 2])``, ``x.new()``."""
    from .. import _legacy_types
    name = dt.LEGACY_NAME[self.dtype][len("torch."):]
    return _legacy_types._new(getattr(_legacy_types, name), *args, device=device)
