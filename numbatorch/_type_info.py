"""``finfo`` and ``iinfo``: the numerical limits of floating-point and integer dtypes."""
import numpy as np

from . import _dtype as dt

__all__ = ["finfo", "iinfo"]


class finfo:
    """Machine limits of a floating-point dtype.

    Limits of a floating dtype: ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``),
    ``resolution``. ``finfo()`` describes the default dtype."""

    def __init__(self, type=None):
        d = dt.get_default_dtype() if type is None else dt.as_dtype(type)
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: ``bits``, ``max``, ``min``."""

    def __init__(self, type):
        d = dt.as_dtype(type)
        if d._category != 1:
            raise TypeError(f"{d!r} is not supported by torch.iinfo".replace("numbatorch.", "torch."))
        info = np.iinfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
