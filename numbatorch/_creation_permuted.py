"""``empty_permuted``: an uninitialised tensor whose dimensions lie in memory in a given order."""
from ._creation import empty

__all__ = ["empty_permuted"]


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialised tensor of shape ``size`` whose dimensions lie in memory in ``physical_layout`` order.

    ``physical_layout[0]`` is outermost and ``physical_layout[-1]`` innermost: ``(0, 2, 3, 1)`` is channels-last."""
    size, physical_layout = tuple(size), tuple(physical_layout)
    if len(physical_layout) != len(size):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(size)} is not equal to len(physical_layout) = {len(physical_layout)}")
    if sorted(physical_layout) != list(range(len(size))):
        raise RuntimeError("Duplicate dim not allowed")
    inverse = [physical_layout.index(d) for d in range(len(size))]
    stored = empty(tuple(size[d] for d in physical_layout), dtype=dtype, layout=layout, device=device,
                   pin_memory=pin_memory)
    return stored.permute(inverse).requires_grad_(requires_grad)
