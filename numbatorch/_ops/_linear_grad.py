"""Differentiable backward of ops whose gradient is a fixed linear map of the incoming gradient.

scatter, take, put, masked_select, cummax, unfold, as_strided...: their gradient reads no input value, only
where each element went, so under ``create_graph=True`` it is one recorded node whose own gradient is the
transposed map (and that one's the map again, for any order).
"""
from ..autograd.graph import Node
from ._util import record


class LinearGradBackward(Node):
    """Node of ``apply(grad)``: its gradient is ``transpose`` of the incoming one."""

    __slots__ = ("apply", "transpose")

    def backward(self, grad):
        return self.transpose(grad)

    def backward_graph(self, grad):
        return linear_grad(grad, self.transpose, self.apply)


def linear_grad(grad, apply, transpose):
    """``apply`` (a linear map on arrays) of the Tensor ``grad``, recorded with ``transpose``, its adjoint, as the
    gradient."""
    return record(apply(grad._data), LinearGradBackward, (grad,), apply=apply, transpose=transpose)
