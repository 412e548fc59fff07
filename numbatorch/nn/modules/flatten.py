"""Flatten and Unflatten."""
from .module import Module


class Flatten(Module):
    """Flattens the dimensions ``start_dim`` to ``end_dim`` into one (by default all but the batch dimension).

    Args:
        start_dim: the first dimension to flatten. Default: ``1``.
        end_dim: the last dimension to flatten. Default: ``-1``.

    Shape:
        - Input: ``(*, S_start, ..., S_end, *)``.
        - Output: ``(*, S_start * ... * S_end, *)``.

    Examples::

        >>> m = nn.Flatten()
        >>> y = m(torch.randn(32, 1, 5, 5))  # (32, 25)
    """

    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dimension ``dim`` into the shape ``unflattened_size``.

    Args:
        dim: the dimension to expand.
        unflattened_size: the new shape of that dimension; its product must equal the dimension's size (one entry
            may be ``-1``).

    Shape:
        - Input: ``(*, S_dim, *)``.
        - Output: ``(*, U_1, ..., U_n, *)`` with ``unflattened_size = (U_1, ..., U_n)``.
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
