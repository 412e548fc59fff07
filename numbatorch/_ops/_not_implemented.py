"""The graph node of ops PyTorch has no derivative for: the result requires grad, backward raises."""
from ..autograd.graph import Node


class NotImplementedBackward(Node):
    """PyTorch's ``NotImplemented`` node: backward (of any order) raises naming the op (``aten::<op>``)."""

    __slots__ = ("op",)

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")

    backward_graph = backward  # the same error under create_graph=True
