"""What a checkpoint's globals resolve to when read: numbatorch's stand-ins for PyTorch's rebuild functions and
storage classes, PyTorch's default weights-only allow-list, and the check of every other global against it."""
import codecs
import pickle
from collections import Counter, OrderedDict

import numpy as np

from . import _dtype as dt
from ._device import device as _device_cls
from ._serialization_format import _STORAGE_DTYPES, _TORCH_DTYPE_NAMES
from ._serialization_names import numbatorch_global
from ._size import Size
from ._tensor import Tensor
from .backends._arrays import as_strided as _as_strided


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
