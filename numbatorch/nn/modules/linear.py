"""Identity, Linear, Bilinear and LazyLinear."""
import math

from ... import _creation
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module


class Identity(Module):
    """Returns its input unchanged; a placeholder where a layer is optional.

    Args:
        args, kwargs: any arguments, ignored (so it can stand in for a layer that takes some).

    Shape:
        - Input: ``(*)``, any shape.
        - Output: ``(*)``, the input itself.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Affine map of the last dimension: ``y = x @ weight.T + bias``.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive ``bias``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input: ``(*, in_features)``, any number of leading dimensions.
        - Output: ``(*, out_features)``.

    Attributes:
        weight: shape ``(out_features, in_features)``, initialised from
            ``U(-1/sqrt(in_features), 1/sqrt(in_features))``.
        bias: shape ``(out_features,)``, initialised from the same distribution; ``None`` if ``bias=False``.

    Examples::

        >>> m = nn.Linear(20, 30)
        >>> y = m(torch.randn(128, 20))  # (128, 30)
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # PyTorch's default: kaiming_uniform with a=sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """Bilinear map of two inputs: ``y_k = x1 @ weight[k] @ x2 + bias_k``.

    Args:
        in1_features: size of each first-input sample.
        in2_features: size of each second-input sample.
        out_features: size of each output sample.
        bias: learn an additive ``bias``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Shape:
        - Input1: ``(*, in1_features)``.
        - Input2: ``(*, in2_features)``, the same leading dimensions.
        - Output: ``(*, out_features)``.

    Attributes:
        weight: shape ``(out_features, in1_features, in2_features)``, initialised from
            ``U(-1/sqrt(in1_features), 1/sqrt(in1_features))``.
        bias: shape ``(out_features,)``, same initialisation; ``None`` if ``bias=False``.
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty((out_features, in1_features, in2_features), dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A ``Linear`` whose ``in_features`` is taken from the first input; it then becomes a ``Linear``.

    Args:
        out_features: size of each output sample.
        bias: learn an additive ``bias``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the first input's dtype.

    Shape:
        - Input: ``(*, in_features)``; ``in_features`` is fixed by the first call.
        - Output: ``(*, out_features)``.
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._dtype = dtype
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.in_features:
            super().reset_parameters()

    def forward(self, input):
        if isinstance(self.weight, UninitializedParameter):
            self.in_features = input.shape[-1]
            self.weight = Parameter(_creation.empty((self.out_features, self.in_features),
                                                    dtype=self._dtype or input.dtype))
            if self.bias is not None:
                self.bias = Parameter(_creation.empty(self.out_features, dtype=self._dtype or input.dtype))
            self.reset_parameters()
            self.__class__ = self.cls_to_become
        return F.linear(input, self.weight, self.bias)
