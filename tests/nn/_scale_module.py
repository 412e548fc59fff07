"""The tiny custom module the Module, hook and container tests build in both frameworks."""
import pytest

from numbatorch.nn.modules.module import Module
from numbatorch.nn.parameter import Parameter


def _torch():
    return pytest.importorskip("torch")


def make_scale(framework, n=3, bias=True):
    """The same tiny custom module in both frameworks: y = x * weight (+ bias), with a buffer."""
    nn = framework.nn if hasattr(framework, "nn") and hasattr(framework.nn, "Module") else None
    base = nn.Module if nn is not None else Module
    param = nn.Parameter if nn is not None else Parameter

    class Scale(base):
        def __init__(self):
            super().__init__()
            self.weight = param(framework.ones(n) * 2)
            if bias:
                self.bias = param(framework.zeros(n))
            else:
                self.register_parameter("bias", None)
            self.register_buffer("count", framework.zeros(1))
            self.register_buffer("scratch", framework.zeros(1), persistent=False)

        def forward(self, x):
            y = x * self.weight
            return y if self.bias is None else y + self.bias

        def extra_repr(self):
            return f"n={n}, bias={self.bias is not None}"

    return Scale()
