"""Tensor's Python protocol: ``len``, iteration, truth value, numbers and indices, hashing, formatting and repr."""
from . import _dtype as dt


class TensorProtocol:
    """Python protocol methods of ``Tensor`` (a base class of it, holding no state of its own)."""

    __slots__ = ()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        grad_fn = None if self.grad_fn is None else self.grad_fn.name()
        return tensor_repr(self.numpy(force=True), self.dtype.name, default_dtype_name=dt.get_default_dtype().name,
                           grad_fn_name=grad_fn, requires_grad=self._requires_grad and self.grad_fn is None,
                           device=self.device)

    __str__ = __repr__
