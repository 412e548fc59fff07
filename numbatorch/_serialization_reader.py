"""Reading a ``.pt`` checkpoint: storages restored to their device (``map_location``), the unpickler, and the
checks of the archive that name what is wrong with a corrupt or foreign file."""
import io
import os
import pickle
import struct
import warnings
import zipfile
import zlib

import numpy as np

from . import _dtype as dt
from ._device import device as _device_cls
from ._serialization_names import numbatorch_global, python3_name
from ._serialization_rebuild import _StorageType, _default_allowed, _weights_only_global
from ._tensor import Tensor


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
