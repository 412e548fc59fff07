"""``as_strided_``: a tensor made, in place, into a strided view of its own storage."""
from .._tensor import Tensor, tensor_method
from ..autograd import grad_mode
from .tensor_methods_extra import as_strided

__all__ = ["as_strided_"]


@tensor_method()
def as_strided_(input, size, stride, storage_offset=None):
    """In place: ``input`` becomes ``input.as_strided(size, stride, storage_offset)``; returns ``input``."""
    if input._requires_grad and input.grad_fn is None and grad_mode.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    # The view is taken of a stand-in holding input's old data and history, which the new history then reads.
    before = Tensor._make(input._data, input.grad_fn, input._output_nr)
    before._requires_grad = input._requires_grad
    result = as_strided(before, size, stride, storage_offset)
    input._data = result._data
    if result.grad_fn is not None:
        input.grad_fn, input._output_nr = result.grad_fn, result._output_nr
    input._version_counter[0] += 1
    return input
