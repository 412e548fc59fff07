"""``default_collate`` (samples -> batch) and ``default_convert`` (arrays -> tensors)."""
import collections.abc
import copy
import re

import numpy as np

import numbatorch

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

# numpy dtypes that cannot become tensors: bytes, unicode, objects.
_NON_NUMERIC_DTYPE = re.compile(r"[SaUO]")
_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)
_CONVERT_ERROR = "default_convert: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def default_convert(data):
    """Turn numpy arrays/scalars into tensors, recursing into containers; keep the rest."""
    if isinstance(data, numbatorch.Tensor):
        return data
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        if _NON_NUMERIC_DTYPE.search(data.dtype.str) is not None:
            return data
        return numbatorch.as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_mapping(data, converted)
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(original, items):
    """Same mapping type as ``original`` when it can be built, else a dict."""
    if isinstance(original, collections.abc.MutableMapping):
        clone = copy.copy(original)
        clone.update(items)
        return clone
    try:
        return type(original)(items)
    except TypeError:  # the mapping type's constructor takes other arguments
        return items


def _rebuild_sequence(original, items):
    """Same sequence type as ``original`` when it can be built, else a list."""
    try:
        if isinstance(original, collections.abc.MutableSequence):
            clone = copy.copy(original)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(original)(items)
    except TypeError:
        return items


def _collate_tensor(batch, *, collate_fn_map=None):
    return numbatorch.stack(batch, 0)


def _collate_ndarray(batch, *, collate_fn_map=None):
    if _NON_NUMERIC_DTYPE.search(batch[0].dtype.str) is not None:
        raise TypeError(_COLLATE_ERROR.format(batch[0].dtype))
    return collate([numbatorch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_numpy_scalar(batch, *, collate_fn_map=None):
    return numbatorch.as_tensor(np.stack(batch))


def _collate_float(batch, *, collate_fn_map=None):
    return numbatorch.tensor(batch, dtype=numbatorch.float64)


def _collate_int(batch, *, collate_fn_map=None):
    # bool is an int subclass: a batch of bools becomes a bool tensor, as in PyTorch.
    if all(type(b) is bool for b in batch):
        return numbatorch.tensor(batch, dtype=numbatorch.bool)
    return numbatorch.tensor(batch, dtype=numbatorch.int64)


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    numbatorch.Tensor: _collate_tensor,
    np.ndarray: _collate_ndarray,
    (np.bool_, np.number, np.object_): _collate_numpy_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples) with per-type functions, recursing into containers."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        return _rebuild_mapping(elem, collated)
    if _is_namedtuple(elem):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        items = [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        if isinstance(elem, tuple):
            return items  # PyTorch returns a list for tuples
        return _rebuild_sequence(elem, items)
    raise TypeError(_COLLATE_ERROR.format(elem_type))


def default_collate(batch):
    """Stack a list of samples into a batch the way PyTorch's ``default_collate`` does.

    Tensors are stacked, numpy arrays and numbers become tensors (float -> float64,
    int -> int64, bool -> bool), strings stay lists, and mappings, namedtuples and
    sequences are collated field by field.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
