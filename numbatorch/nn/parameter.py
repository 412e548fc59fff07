"""``Parameter``: a Tensor that a Module registers as a learnable weight when assigned to it."""
import numpy as np

from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor (``requires_grad=True`` by default) that shares the memory of ``data``."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter.__new__ expected a Tensor for data, got {type(data).__name__}")
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        # All state is set in __new__; Tensor.__init__ would rebuild it from scratch.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute (``nn.Buffer``)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        buf = Tensor._make_subclass(cls, data, data.requires_grad if isinstance(data, Tensor) else False)
        buf.persistent = persistent
        return buf

    def __init__(self, data=None, *, persistent=True):
        pass


class UninitializedParameter(Parameter):
    """Placeholder weight of a lazy module until the first input fixes its shape."""

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Tensor._make_subclass(cls, np.empty((0,), dtype=np.float32), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __repr__(self):
        return "<UninitializedParameter>"


class UninitializedBuffer(Buffer):
    """Placeholder buffer of a lazy module until the first input fixes its shape (no gradient by default)."""

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        buf = Tensor._make_subclass(cls, np.empty((0,), dtype=np.float32 if dtype is None else dtype.np),
                                    requires_grad)
        buf.persistent = persistent
        return buf

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    def __repr__(self):
        return "<UninitializedBuffer>"


def is_lazy(param):
    """True for a parameter that a lazy module has not materialised yet."""
    return isinstance(param, UninitializedParameter)
