"""``save``/``load`` in PyTorch's ``.pt`` zip format, readable by ``torch.load`` and reading ``torch.save`` files.

Layout (as torch writes it): ``<name>/data.pkl`` (protocol-2 pickle in which every tensor is
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`` and every
storage is a persistent id ``('storage', torch.<T>Storage, key, 'cpu', numel)``), ``<name>/data/<key>`` (raw
little-endian bytes of each storage, 64-byte aligned), ``.format_version``, ``.storage_alignment``,
``byteorder``, ``version`` and ``.data/serialization_id``.

Loading never imports or calls what the file names: with ``weights_only=True`` (the default) only PyTorch's
default allow-list of globals (resolved to numbatorch's own rebuild functions) and what the user allowed with
``add_safe_globals``/``safe_globals`` are resolved; anything else raises ``pickle.UnpicklingError`` naming it.
Classes and functions are written and read under PyTorch's module paths (see ``_serialization_names``), so
whole models pickled by either framework load in the other with ``weights_only=False``.
"""
import codecs
import io
import os
import pickle
import pickletools
import struct
import tempfile
import types
import uuid
import warnings
import zipfile
import zlib
from collections import Counter, OrderedDict

import numpy as np

from . import _dtype as dt
from ._device import device as _device_cls
from ._serialization_names import numbatorch_global, python3_name, torch_name_of
from ._serialization_safe_globals import (add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals,
                                          user_allowed_globals)
from ._size import Size
from ._tensor import Tensor
from .backends._arrays import as_strided as _as_strided

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint"]

_ALIGNMENT = 64
# torch's legacy storage class names <-> numpy dtypes.
_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
    "ByteStorage": np.uint8, "BoolStorage": np.bool_, "ComplexFloatStorage": np.complex64,
    "ComplexDoubleStorage": np.complex128,
    # read as raw 16-bit words, then viewed as bfloat16 (its numpy type comes from ml_dtypes, imported lazily)
    "BFloat16Storage": np.uint16,
}
_STORAGE_BY_DTYPE = {np.dtype(v): k for k, v in _STORAGE_DTYPES.items() if k != "BFloat16Storage"}
# torch dtype attribute names numbatorch can stand for.
_TORCH_DTYPE_NAMES = {
    "float32": dt.float32, "float": dt.float32, "float64": dt.float64, "double": dt.float64,
    "float16": dt.float16, "half": dt.float16, "bfloat16": dt.bfloat16, "complex64": dt.complex64,
    "cfloat": dt.complex64, "complex128": dt.complex128, "cdouble": dt.complex128, "int64": dt.int64, "long": dt.int64,
    "int32": dt.int32, "int": dt.int32, "int16": dt.int16, "short": dt.int16, "int8": dt.int8,
    "uint8": dt.uint8, "bool": dt.bool_,
}


# ---- writing ------------------------------------------------------------------------------------------
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


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, optimizer states, containers of them) to a path or binary file.

    Saving to a path is atomic: the file appears complete (temporary file in the same directory + rename)
    or not at all.
    """
    if pickle_protocol < 2:
        raise ValueError("numbatorch.save needs pickle_protocol >= 2")
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, pickle_protocol)
    pickler.dump(obj)
    pickled = buffer.getvalue()
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        archive = os.path.splitext(os.path.basename(path))[0] or "archive"
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                _write_zip(out, archive, pickled, pickler.storages)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    else:
        _write_zip(f, "archive", pickled, pickler.storages)


# ---- reading ------------------------------------------------------------------------------------------
class _StorageType:
    """What a ``torch.<T>Storage`` global resolves to while loading: just its element type."""

    def __init__(self, name):
        self.name = name
        self.dtype = np.dtype(_STORAGE_DTYPES[name])


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise pickle.UnpicklingError("corrupt tensor record: size and stride differ in length")
    if any(n < 0 for n in size) or any(s < 0 for s in stride) or storage_offset < 0:
        raise pickle.UnpicklingError("corrupt tensor record: negative size, stride or offset")
    if 0 in size:
        arr = storage[:0].reshape(size)
    else:
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= storage.size:
            raise pickle.UnpicklingError(f"corrupt tensor record: it reads element {last} of a storage of "
                                         f"{storage.size} elements")
        item = storage.itemsize
        arr = _as_strided(storage[storage_offset:], size, tuple(s * item for s in stride))
    t = Tensor._make(arr)
    if requires_grad and arr.dtype.kind in dt.DIFFERENTIABLE_KINDS:
        t._requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad)
    if state:
        for k, v in state.items():
            setattr(param, k, v)
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor subclass (or a tensor with attributes): rebuild the tensor, then its type and attributes."""
    ret = func(*args)
    if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
        raise pickle.UnpicklingError(f"cannot rebuild a tensor as {new_type!r}, which is not a Tensor class")
    if type(ret) is not new_type:
        ret = Tensor._make_subclass(new_type, ret, ret.requires_grad)
    if isinstance(state, tuple):
        if len(state) != 2:
            raise pickle.UnpicklingError(f"Invalid serialized state: {state!r}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for attrs in (dict_state, slots_state):
        for k, v in (attrs or {}).items():
            setattr(ret, k, v)
    return ret


def _safe_encode(text, encoding="utf-8"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes; only text encodings are allowed."""
    if encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii"):
        raise pickle.UnpicklingError(f"_codecs.encode with encoding {encoding!r} is not allowed")
    return codecs.encode(text, encoding)


def _torch_device(spec, index=None):
    return _device_cls(spec, index)


def _parameter_class():
    from .nn.parameter import Parameter
    return Parameter


# PyTorch's default weights-only allow-list ("module.name" after Python 2 names are mapped), as far as
# numbatorch has the objects: tensors, parameters, storages, dtypes, Size, device and a few builtins
# (Parameter is added by _default_allowed: importing it imports nn, which ``import numbatorch`` defers).
_ALLOWED = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.Tensor": Tensor,
    "torch.Size": Size,
    "torch.device": _torch_device,
    "_codecs.encode": _safe_encode,
    "builtins.set": set,
    "builtins.complex": complex,
    "builtins.bytearray": bytearray,
}
_ALLOWED.update({f"torch.{k}": _StorageType(k) for k in _STORAGE_DTYPES})
_ALLOWED.update({f"torch.{k}": v for k, v in _TORCH_DTYPE_NAMES.items()})
# Files written by numbatorch before names were mapped, and Size/dtype reduce helpers.
_ALLOWED.update({"numbatorch._size.Size": Size, "numbatorch._dtype._dtype_by_name": dt._dtype_by_name})
# Never resolved, even when a user allow-lists something from them.
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def _default_allowed(full):
    """The object the default allow-list has for ``full`` ("module.name"), or None."""
    return _parameter_class() if full == "torch.nn.parameter.Parameter" else _ALLOWED.get(full)


class _UnsafeGlobal(pickle.UnpicklingError):
    """A global that ``weights_only`` loading refuses (reworded by ``load`` into PyTorch's full message)."""


def _weights_only_global(module, name, user):
    """What a global resolves to under ``weights_only=True`` (``user``: ``user_allowed_globals()``), or
    ``_UnsafeGlobal`` naming the way to allow it."""
    full = f"{module}.{name}"
    found = _default_allowed(full)
    if found is not None:
        return found
    if module in _BLOCKED_MODULES:
        raise _UnsafeGlobal(f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.")
    if full in user:
        return user[full]
    # An allow-listed numbatorch class also allows PyTorch's path for it (torch.nn.modules.linear.Linear).
    own = numbatorch_global(module, name, import_modules=False) if user else None
    if own is not None and any(own is v for v in user.values()):
        return own
    shown = full[len("builtins."):] if module == "builtins" else full
    raise _UnsafeGlobal(
        f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
        f"`torch.serialization.add_safe_globals([{shown}])` or the `torch.serialization.safe_globals([{shown}])` "
        "context manager to allowlist this global if you trust this class/function.")


_UNSAFE_MESSAGE = ("Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can "
                   "result in arbitrary code execution. Do it only if you got the file from a trusted source.")


def _weights_only_message(message, source):
    """PyTorch's wording around a refused global: the two ways to load the file anyway."""
    if message.startswith("Unsupported global"):
        text = ("Weights only load failed. This file can still be loaded, to do so you have two options, do those "
                f"steps only if you trust the source of the checkpoint. \n\t(1) {_UNSAFE_MESSAGE}\n\t(2) "
                "Alternatively, to load with `weights_only=True` please check the recommended steps in the "
                f"following error message.\n\tWeightsUnpickler error: {message}")
    else:
        text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n\n{message}"
    # the file's name helps; a file object's repr would not
    return text if source.startswith("<") else f"{text}\n\nCheckpoint: {source}"


_NO_CUDA = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are "
            "running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your "
            "storages to the CPU.")


def _cuda_device(location):
    """The device a ``'cuda'``/``'cuda:N'`` tag restores to, with PyTorch's errors where there is none."""
    from . import cuda
    dev = _device_cls(location)
    if not cuda.is_available():
        raise RuntimeError(_NO_CUDA)
    index = dev.index if dev.index is not None else cuda.current_device()
    count = cuda.device_count()
    if index >= count:
        raise RuntimeError(f"Attempting to deserialize object on CUDA device {index} but torch.cuda.device_count() "
                           f"is {count}. Please use torch.load with map_location to map your storages to an existing "
                           "device.")
    return _device_cls("cuda", index)


def _default_restore_location(storage, location):
    """``storage`` (a 1-d Tensor) on the device its tag names, as PyTorch's ``default_restore_location``."""
    if location == "cpu":
        return storage
    if location == "cuda" or location.startswith("cuda:"):
        return storage.to(_cuda_device(location))
    raise RuntimeError(f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with "
                       f"{location})")


def _restore_location(map_location):
    """PyTorch's ``map_location`` rules: None (the saved device), a dict from saved to wanted tags, one device
    (str or ``device``) for everything, or ``fn(storage, location)`` whose None means the saved device."""
    if map_location is None:
        return _default_restore_location
    if isinstance(map_location, dict):
        return lambda storage, location: _default_restore_location(storage, str(map_location.get(location,
                                                                                               location)))
    if isinstance(map_location, (str, bytes, _device_cls)):
        tag = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda storage, location: _default_restore_location(storage, tag)

    def restore(storage, location):
        result = map_location(storage, location)
        return _default_restore_location(storage, location) if result is None else result
    return restore


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive, zf, source, user_allowed, byteorder, restore, **pickle_load_args):
        super().__init__(file, **pickle_load_args)
        self.restore = restore
        self.archive = archive
        self.zf = zf
        self.source = source
        self.weights_only = user_allowed is not None
        self.user_allowed = user_allowed
        self.byteorder = byteorder
        self.storages = {}

    def find_class(self, module, name):
        py3_module, py3_name = python3_name(module, name)
        if self.weights_only:
            return _weights_only_global(py3_module, py3_name, self.user_allowed)
        found = _default_allowed(f"{py3_module}.{py3_name}")
        if found is None:
            found = numbatorch_global(py3_module, py3_name)
        if found is not None:
            return found
        if py3_module == "torch" or py3_module.startswith("torch."):
            raise NotImplementedError(f"numbatorch does not implement {py3_module}.{py3_name} yet (named in "
                                      f"{self.source})")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"{self.source}: unsupported persistent id {pid!r}")
        storage_type, key, location, numel = pid[1], str(pid[2]), str(pid[3]), pid[4]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"{self.source}: unsupported storage type {storage_type!r}")
        if key in self.storages:
            return self.storages[key]
        name = f"{self.archive}/data/{key}"
        try:
            raw = self.zf.read(name)
        except KeyError:
            raise RuntimeError(f"{self.source}: the checkpoint is corrupt (record {name} is missing)") from None
        dtype = storage_type.dtype
        if len(raw) != numel * dtype.itemsize:
            raise RuntimeError(f"{self.source}: the checkpoint is corrupt (storage {key} has {len(raw)} bytes, "
                               f"expected {numel * dtype.itemsize})")
        arr = np.frombuffer(bytearray(raw), dtype=dtype.newbyteorder("<" if self.byteorder == "little" else ">"))
        arr = arr.astype(dtype, copy=False)
        if storage_type.name == "BFloat16Storage":
            arr = arr.view(dt.bfloat16.np)
        arr = self.restore(Tensor._make(arr), location)._data
        self.storages[key] = arr
        return arr


def _source_name(f):
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    return getattr(f, "name", None) or repr(f)


_TRUE_VALUES = ("1", "y", "yes", "true")


def _resolve_weights_only(weights_only, pickle_module):
    """PyTorch's rules: default True (False with a pickle_module), then the TORCH_FORCE_* variables."""
    not_set = weights_only is None
    if not_set:
        weights_only = pickle_module is None
    force_on = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE_VALUES
    force_off = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE_VALUES
    if force_on and force_off:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
                           "should be set, but both were set.")
    if force_on:
        weights_only = True
    elif force_off and not_set:
        # only a call that did not pass weights_only is overridden
        warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the `weights_only` "
                      "argument was not explicitly passed to `torch.load`, forcing weights_only=False.",
                      UserWarning, stacklevel=3)
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    return weights_only


def _open_source(f):
    """(readable seekable binary file, its name for messages, whether we opened it)."""
    source = _source_name(f)
    if isinstance(f, (str, os.PathLike)):
        return open(f, "rb"), source, True
    if not hasattr(f, "read"):
        raise TypeError(f"load expected a path or a binary file object, got {type(f).__name__}")
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return f, source, False


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ``save`` or by ``torch.save``, tensors on their saved device or ``map_location``.

    ``map_location``: ``'cpu'``, ``'cuda'`` or a device for every storage, a dict from saved location tags
    (``'cuda:0'``) to wanted ones, or ``fn(storage, location)`` returning the moved storage (None: as saved).

    ``weights_only`` (True unless a ``pickle_module`` is given, or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` is
    set and the argument is not passed) rebuilds only tensors, Parameters, numbers, strings, containers and
    what ``add_safe_globals`` allowed; any other global raises ``pickle.UnpicklingError`` naming it, unrun.
    """
    weights_only = _resolve_weights_only(weights_only, pickle_module)
    if weights_only and pickle_load_args:
        warnings.warn("pickle_load_args only works if `weights_only=False`.")
        pickle_load_args = {}
    pickle_load_args.setdefault("encoding", "utf-8")
    # read (and checked, so a malformed entry raises its own error) once per load
    user_allowed = user_allowed_globals() if weights_only else None
    fh, source, opened = _open_source(f)
    try:
        return _load_from(fh, source, user_allowed, _restore_location(map_location), pickle_load_args)
    except _UnsafeGlobal as exc:
        raise pickle.UnpicklingError(_weights_only_message(str(exc), source)) from None
    finally:
        if opened:
            fh.close()


def get_unsafe_globals_in_checkpoint(f):
    """The globals (``"module.name"``) in a checkpoint that ``load(weights_only=True)`` would refuse.

    Reads the pickle statically, running nothing; allowed are PyTorch's defaults and what
    ``add_safe_globals``/``safe_globals`` added.
    """
    fh, source, opened = _open_source(f)
    try:
        start = fh.tell()
        if fh.read(2) != b"PK":
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        fh.seek(start)
        with zipfile.ZipFile(fh) as zf:
            data = zf.read(_data_pkl_name(zf.namelist(), source))
    finally:
        if opened:
            fh.close()
    unsafe = set()
    user = user_allowed_globals()
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            module, name = python3_name(*arg.split(" ", 1))
            try:
                _weights_only_global(module, name, user)
            except _UnsafeGlobal:
                unsafe.add(f"{module}.{name}")
    return sorted(unsafe)


def _data_pkl_name(names, source):
    pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
    if pkl is None:
        raise RuntimeError(f"{source}: the checkpoint is corrupt (no data.pkl record)")
    return pkl


def _load_from(fh, source, user_allowed, restore, pickle_load_args):
    """Unpickle the checkpoint in ``fh``; ``user_allowed`` is the user's allow-list, None when not weights-only."""
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if len(head) == 0:
        raise RuntimeError(f"{source}: the file is empty, not a checkpoint")
    if head[:2] != b"PK":
        if head[:1] == b"\x80":
            raise RuntimeError(f"{source}: this is PyTorch's legacy (pre-1.6, non-zip) format, which numbatorch "
                               "does not read; re-save it with a recent torch.save")
        raise RuntimeError(f"{source}: not a PyTorch/numbatorch checkpoint (no zip archive found)")
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise RuntimeError(f"{source}: the checkpoint is truncated or corrupt ({exc})") from None
    with zf:
        names = zf.namelist()
        pkl = _data_pkl_name(names, source)
        archive = pkl[:-len("/data.pkl")] if "/" in pkl else ""
        try:
            byteorder = zf.read(f"{archive}/byteorder").decode() if f"{archive}/byteorder" in names else "little"
            data = zf.read(pkl)
            unpickler = _Unpickler(io.BytesIO(data), archive, zf, source, user_allowed, byteorder, restore,
                                   **pickle_load_args)
            return unpickler.load()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise RuntimeError(f"{source}: the checkpoint is truncated or corrupt ({exc})") from None
        except pickle.UnpicklingError:
            raise
        except (ValueError, IndexError, struct.error) as exc:
            raise pickle.UnpicklingError(f"{source}: the checkpoint's data.pkl is corrupt ({exc})") from None

