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

The writing is in ``_serialization_writer.py``, the reading in ``_serialization_reader.py``, what globals resolve
to (and the weights-only allow-list) in ``_serialization_rebuild.py``, the format's tables in
``_serialization_format.py``.
"""
import io
import os
import pickle
import pickletools
import tempfile
import warnings
import zipfile

from ._serialization_names import python3_name
from ._serialization_reader import _data_pkl_name, _load_from, _open_source, _resolve_weights_only, _restore_location
from ._serialization_rebuild import (_UnsafeGlobal, _rebuild_from_type_v2, _rebuild_parameter,  # noqa: F401
                                     _rebuild_parameter_with_state, _rebuild_tensor, _rebuild_tensor_v2,
                                     _weights_only_global, _weights_only_message)
from ._serialization_safe_globals import (add_safe_globals, clear_safe_globals, get_safe_globals,  # noqa: F401
                                          safe_globals, user_allowed_globals)
from ._serialization_writer import _Pickler, _write_zip

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint"]


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
