"""Padding modules for 1-, 2- and 3-D inputs in every ``F.pad`` mode."""
from .. import functional as F
from .module import Module


def _expand(padding, n):
    """An int pads every side; a tuple is taken as F.pad's (left, right, top, bottom, ...) list."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"expected a padding of length {2 * n}, got {len(padding)}")
    return padding


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self.dims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    def forward(self, input):
        # PyTorch's circular layers check the rank themselves (F.pad would raise NotImplementedError).
        if input.dim() not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got {input.dim()}D input)")
        return super().forward(input)


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


_HOW = {"constant": "with a constant value", "reflect": "with the reflection of the input at its borders",
        "replicate": "by repeating the border values", "circular": "by wrapping the input around",
        "zeros": "with zeros"}
_SIDES = {1: "(left, right)", 2: "(left, right, top, bottom)", 3: "(left, right, top, bottom, front, back)"}
_SPATIAL = {1: ["W"], 2: ["H", "W"], 3: ["D", "H", "W"]}
_EDGES = {"W": "left + right", "H": "top + bottom", "D": "front + back"}


def _doc(how, dims, value):
    """The docstring of a generated padding layer: summary, Args and Shape."""
    size_in = ", ".join(f"{d}_in" for d in _SPATIAL[dims])
    size_out = ", ".join(f"{d}_out" for d in _SPATIAL[dims])
    rule = ", ".join(f"``{d}_out = {d}_in + {_EDGES[d]}``" for d in _SPATIAL[dims])
    value_arg = "\n        value: the fill value." if value else ""
    last = "last dimension" if dims == 1 else f"last {dims} dimensions"
    return (f"""Pads the {last} {_HOW[how]}.

    Args:
        padding: the amount on every side (an int), or the {2 * dims}-tuple {_SIDES[dims]}.{value_arg}

    Shape:
        - Input: ``(N, C, {size_in})`` or ``(C, {size_in})``.
        - Output: ``(N, C, {size_out})`` or ``(C, {size_out})``, where
          {rule}.
    """)


def _make(name, base, mode, dims):
    how = "zeros" if base is _ZeroPadNd else mode
    return type(name, (base,), {"mode": mode, "dims": dims, "__module__": __name__,
                                "__doc__": _doc(how, dims, value=base is _ConstantPadNd)})


ConstantPad1d = _make("ConstantPad1d", _ConstantPadNd, "constant", 1)
ConstantPad2d = _make("ConstantPad2d", _ConstantPadNd, "constant", 2)
ConstantPad3d = _make("ConstantPad3d", _ConstantPadNd, "constant", 3)
ReflectionPad1d = _make("ReflectionPad1d", _PadNd, "reflect", 1)
ReflectionPad2d = _make("ReflectionPad2d", _PadNd, "reflect", 2)
ReflectionPad3d = _make("ReflectionPad3d", _PadNd, "reflect", 3)
ReplicationPad1d = _make("ReplicationPad1d", _PadNd, "replicate", 1)
ReplicationPad2d = _make("ReplicationPad2d", _PadNd, "replicate", 2)
ReplicationPad3d = _make("ReplicationPad3d", _PadNd, "replicate", 3)
CircularPad1d = _make("CircularPad1d", _CircularPadNd, "circular", 1)
CircularPad2d = _make("CircularPad2d", _CircularPadNd, "circular", 2)
CircularPad3d = _make("CircularPad3d", _CircularPadNd, "circular", 3)
ZeroPad1d = _make("ZeroPad1d", _ZeroPadNd, "constant", 1)
ZeroPad2d = _make("ZeroPad2d", _ZeroPadNd, "constant", 2)
ZeroPad3d = _make("ZeroPad3d", _ZeroPadNd, "constant", 3)
