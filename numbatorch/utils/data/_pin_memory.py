"""``pin_memory=True``: every tensor of a batch through ``Tensor.pin_memory()``, containers rebuilt as they came."""
import collections.abc

from ._collate import _is_namedtuple, _rebuild_mapping


def pin_memory(data):
    """``data`` with each tensor (in mappings, namedtuples, tuples and lists, or any object with a ``pin_memory``
    method) pinned; copies to 'cuda' are synchronous in numbatorch, so pinning returns the same host memory."""
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: pin_memory(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(pin_memory(v) for v in data))
    if isinstance(data, (tuple, list)):
        return type(data)(pin_memory(v) for v in data)
    return data
