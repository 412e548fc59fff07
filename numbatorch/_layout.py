"""``layout`` and ``memory_format`` objects (``numbatorch.strided``, ``numbatorch.contiguous_format`` …).

Every numbatorch tensor is dense and strided; factories accept these values as PyTorch's do.
"""

__all__ = ["layout", "strided", "sparse_coo", "memory_format", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d"]


class layout:
    """How a tensor's elements are stored (``numbatorch.strided``: a dense array)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "numbatorch." + self.name

    def __reduce__(self):
        return self.name


class memory_format:
    """The order of a dense tensor's dimensions in memory."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "numbatorch." + self.name

    def __reduce__(self):
        return self.name


strided = layout("strided")
sparse_coo = layout("sparse_coo")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def check_layout(layout_arg, fname):
    """Only the dense ``strided`` layout is supported; ``None`` means it."""
    if layout_arg is not None and layout_arg is not strided:
        raise NotImplementedError(f"{fname}(): layout={layout_arg} is not supported by numbatorch (only "
                                  "numbatorch.strided)")
