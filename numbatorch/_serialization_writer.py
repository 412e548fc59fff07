"""Writing a ``.pt`` checkpoint: the pickler that names tensors, storages and classes as PyTorch does, and the
zip archive (see ``serialization``'s docstring for the layout)."""
import pickle
import types
import uuid
import zipfile
from collections import OrderedDict

import numpy as np

from . import _dtype as dt
from ._device import device as _device_cls
from ._serialization_format import _ALIGNMENT, _STORAGE_BY_DTYPE, _STORAGE_DTYPES
from ._serialization_names import torch_name_of
from ._size import Size
from ._tensor import Tensor


class _TorchGlobal:
    """Stands for a global that torch defines; pickled as ``GLOBAL module name`` without importing torch."""

    def __init__(self, module, name):
        self.module = module
        self.name = name


_REBUILD_TENSOR_V2 = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")
_TORCH_SIZE = _TorchGlobal("torch", "Size")
_TORCH_DEVICE = _TorchGlobal("torch", "device")
_STORAGE_GLOBALS = {k: _TorchGlobal("torch", k) for k in _STORAGE_DTYPES}


def _global_callable(marker):
    """A callable class carrying ``marker``: pickle's save_reduce insists that the function be callable."""
    return type(marker.name, (), {"_torch_global": marker})


_CALLABLES = {}


def _as_callable(marker):
    cls = _CALLABLES.get(marker.name)
    if cls is None:
        cls = _CALLABLES[marker.name] = _global_callable(marker)
    return cls


class _StorageRef:
    """One storage to write: the root ndarray a tensor views (on the host), its record key and its device tag."""

    __slots__ = ("key", "array", "location")

    def __init__(self, key, array, location):
        self.key = key
        self.array = array
        self.location = location


def _address(arr):
    """Address of the first element: numpy's (also the simulator's device arrays), else a CuPy array's."""
    return arr.__array_interface__["data"][0] if isinstance(arr, np.ndarray) else arr.data.ptr


def _storage_view(arr):
    """(root array, element offset, element strides) when ``arr`` is a plain strided view of a contiguous root
    (a host or a device array; the root is of the same kind)."""
    kind = np.ndarray if isinstance(arr, np.ndarray) else type(arr)  # a numpy or a CuPy chain of views
    root = arr
    while isinstance(root.base, kind):
        root = root.base
    if root is arr or not root.flags.c_contiguous or root.dtype != arr.dtype or arr.size == 0:
        return None
    item = arr.itemsize
    offset = _address(arr) - _address(root)
    if offset < 0 or offset % item or any(s < 0 or s % item for s in arr.strides):
        return None
    end = offset + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) + item
    if end > root.nbytes:
        return None
    return root, offset // item, tuple(s // item for s in arr.strides)


class _Pickler(pickle._Pickler):
    """Writes numbatorch objects under the torch names ``torch.load`` expects; collects storages."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = []  # _StorageRef in key order
        self._by_root = {}  # id(root array) -> _StorageRef
        self._keep = []  # arrays whose id() is used as a key must stay alive

    def _storage_for(self, root, location):
        ref = self._by_root.get(id(root))
        if ref is None:
            host = root if location == "cpu" else Tensor._make(root).cpu()._data  # one copy per device storage
            ref = _StorageRef(str(len(self.storages)), host, location)
            self._by_root[id(root)] = ref
            self.storages.append(ref)
            self._keep.append(root)
        return ref

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            arr = obj.array
            name = "BFloat16Storage" if arr.dtype.name == "bfloat16" else _STORAGE_BY_DTYPE.get(arr.dtype)
            if name is None:
                raise pickle.PicklingError(f"numbatorch.save cannot write tensors of dtype {arr.dtype}")
            storage_type = _as_callable(_STORAGE_GLOBALS[name])
            return ("storage", storage_type, obj.key, obj.location, int(arr.size))
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, dt.dtype):
            return obj.name  # a global name: written by save_global below as ``torch <name>``
        if type(obj) is Size:
            return (_as_callable(_TORCH_SIZE), (tuple(obj),))
        if isinstance(obj, _device_cls):
            return (_as_callable(_TORCH_DEVICE), (str(obj),))
        if type(obj) is types.FunctionType and obj.__module__.startswith("numbatorch."):
            # pickle saves functions without consulting an overridden save_global: name it, save_global maps it
            return obj.__qualname__
        return NotImplemented

    def _reduce_tensor(self, t):
        from .nn.parameter import Parameter
        if isinstance(t, Parameter):
            plain = Tensor._make(t._data)
            return (_as_callable(_REBUILD_PARAMETER), (plain, t.requires_grad, OrderedDict()))
        location = _location_tag(t)
        arr = t._data
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        view = _storage_view(arr)
        if view is not None:
            root, offset, strides = view
        else:
            # Not a plain view of a contiguous buffer (or the buffer itself): write a contiguous copy.
            root = arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)
            offset, strides = 0, _contig(arr.shape)
        storage = self._storage_for(root, location)
        return (_as_callable(_REBUILD_TENSOR_V2),
                (storage, offset, tuple(arr.shape), strides, bool(t._requires_grad), OrderedDict()))

    def save_global(self, obj, name=None):
        marker = getattr(obj, "_torch_global", None) if isinstance(obj, type) else None
        if isinstance(obj, dt.dtype):
            marker = _TorchGlobal("torch", obj.name)
        if marker is None and name in (None, getattr(obj, "__qualname__", None)):
            torch_name = torch_name_of(obj)
            if torch_name is not None:
                marker = _TorchGlobal(*torch_name)
        if marker is None:
            return super().save_global(obj, name)
        self.write(pickle.GLOBAL + f"{marker.module}\n{marker.name}\n".encode("utf-8"))
        self.memoize(obj)


def _location_tag(t):
    """PyTorch's storage location of tensor ``t``: ``'cpu'`` or ``'cuda:<index>'``."""
    dev = t.device
    return "cpu" if dev.type == "cpu" else f"{dev.type}:{dev.index or 0}"


def _contig(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def _aligned_extra(zf, name):
    """A local-header extra field ('FB' + padding) that starts the record's data on a 64-byte boundary."""
    header = zf.fp.tell() + 30 + len(name.encode("utf-8"))
    pad = (-(header + 4)) % _ALIGNMENT
    return b"FB" + pad.to_bytes(2, "little") + b"Z" * pad


def _write_zip(fileobj, archive, pickled, storages):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        def record(name, data, align=False):
            full = f"{archive}/{name}"
            info = zipfile.ZipInfo(full, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            if align:
                info.extra = _aligned_extra(zf, full)
            zf.writestr(info, data)

        record("data.pkl", pickled)
        record(".format_version", b"1")
        record(".storage_alignment", str(_ALIGNMENT).encode())
        record("byteorder", b"little")
        for ref in storages:
            arr = np.ascontiguousarray(ref.array)
            if arr.dtype.kind == "V":  # bfloat16 (ml_dtypes) has no buffer format: its raw 16-bit words
                arr = arr.view(np.uint16)
            record(f"data/{ref.key}", memoryview(arr).cast("B") if arr.size else b"", True)
        record("version", b"3\n")
        record(".data/serialization_id", str(uuid.uuid4().int).zfill(40)[:40].encode())
