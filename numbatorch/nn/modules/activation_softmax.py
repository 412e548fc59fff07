"""Softmax layers (Softmax, Softmin, LogSoftmax, Softmax2d): ``nn.functional``'s softmax family with PyTorch's
legacy implicit ``dim``."""
from .. import functional as F
from .module import Module


class _SoftmaxBase(Module):
    # The forwards pass ``_stacklevel=5`` so that the missing-``dim`` warning names the line calling the module
    # (level 1 _implicit_dim, 2 F.softmax, 3 forward, 4 Module.__call__, 5 the caller).
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """Softmax along ``dim``: ``exp(x_i) / sum_j exp(x_j)``, so each slice is positive and sums to one.

    Args:
        dim: the dimension to normalise. ``None`` picks one as PyTorch's legacy rule does (dim 0 for 0-, 1- and
            3-D input, else dim 1); pass it explicitly.

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.

    Examples::

        >>> m = nn.Softmax(dim=1)
        >>> y = m(torch.randn(2, 3))
    """

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmin(_SoftmaxBase):
    """Softmin along ``dim``: the softmax of ``-x``.

    Args:
        dim: the dimension to normalise (``None``: PyTorch's legacy implicit choice).

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    """Log of the softmax along ``dim``, computed stably: ``x_i - logsumexp(x)``.

    Args:
        dim: the dimension to normalise (``None``: PyTorch's legacy implicit choice).

    Shape:
        - Input: ``(*)``.
        - Output: ``(*)``, the shape of the input.
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    """Softmax over the channel dimension at every spatial location.

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``.
        - Output: the shape of the input.
    """

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)
