"""``numbatorch.Size``: the tuple subclass returned by ``Tensor.shape``."""


class Size(tuple):
    """A tensor shape; prints as ``numbatorch.Size([50, 3, 32, 32])``."""

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, (int(s) for s in sizes))

    def __repr__(self):
        return f"numbatorch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
