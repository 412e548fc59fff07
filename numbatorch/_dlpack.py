"""DLPack exchange: ``from_dlpack``/``to_dlpack`` and ``Tensor.__dlpack__``, sharing memory with numpy, CuPy (host
arrays) or PyTorch CPU tensors without copies."""
import numpy as np

from ._tensor import Tensor, tensor_method

__all__ = ["from_dlpack", "to_dlpack"]

_CPU_DEVICE = (1, 0)  # (kDLCPU, device id)


class _Capsule:
    """Adapts a bare DLPack capsule (``to_dlpack``'s result) to the ``__dlpack__`` protocol numpy consumes."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return _CPU_DEVICE


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor`` (an object with ``__dlpack__``, or a DLPack capsule)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    source = ext_tensor if hasattr(ext_tensor, "__dlpack__") else _Capsule(ext_tensor)
    if hasattr(source, "__dlpack_device__") and source.__dlpack_device__()[0] != _CPU_DEVICE[0]:
        from . import cuda
        cuda._raise_unavailable()
    return Tensor._make(np.from_dlpack(source))


def to_dlpack(tensor):
    """A DLPack capsule of ``tensor``'s memory (consumable once, e.g. by ``torch.from_dlpack``)."""
    return tensor._data.__dlpack__()


@tensor_method("__dlpack__")
def _dlpack(self, stream=None, **kwargs):
    return self._data.__dlpack__(**kwargs)


@tensor_method("__dlpack_device__")
def _dlpack_device(self):
    return _CPU_DEVICE
