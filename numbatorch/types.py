"""``torch.types``: the type aliases PyTorch's signatures are annotated with (``Number``, ``Device``, ``_size``...)."""
import builtins
import os
from typing import IO, Sequence, Union

from ._device import device as _device
from ._dtype import dtype as _dtype
from ._layout import layout as _layout
from ._size import Size
from ._tensor import Tensor

__all__ = ["Device", "FileLike", "Number", "Size", "Tensor", "_Number", "_TensorOrTensors", "_bool", "_bytes",
           "_complex", "_device", "_dtype", "_float", "_int", "_layout", "_size", "_str"]

_bool = builtins.bool
_complex = builtins.complex
_float = builtins.float
_int = builtins.int
_str = builtins.str
_bytes = builtins.bytes

_TensorOrTensors = Union[Tensor, Sequence[Tensor]]
_size = Union[Size, list[_int], tuple[_int, ...]]
_Number = Union[_int, _float, _bool]
Number = Union[_int, _float, _bool]
Device = Union[_device, _str, _int, None]
FileLike = Union[_str, os.PathLike, IO[bytes]]
