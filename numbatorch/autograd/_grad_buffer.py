"""Summing gradients in place: the engine writes into a gradient array only when nothing else references it.

A tensor used by several ops receives one gradient per use. Adding them out of place allocates a new array per
sum, and for large tensors each fresh allocation also pays the page faults of new memory (a 256x256 float32 sum
took ~100 us that way, ~18 us in place). PyTorch adds into a gradient buffer that nobody else holds; numbatorch
does the same, with CPython's reference count telling whether anyone else (a node's saved values, a hook, the
user, another gradient slot) holds the array.
"""
import sys

import numpy as np

from ..backends.cpu._arithmetic_kernels import add as threaded_add, small


def _item_refs(items, i):
    return sys.getrefcount(items[i])


def _arg_refs(value):
    return sys.getrefcount(value)


def _item_refs_with_one_local():
    items = [np.empty(0)]
    prev = items[0]  # noqa: F841  (the local the callers also hold)
    return _item_refs(items, 0)


def _arg_refs_with_one_local():
    value = np.empty(0)
    return _arg_refs(value)


def _calibrate():
    """The reference counts of an array held only by a list (or only by one variable) plus the caller's local.

    Measured rather than assumed: the counts depend on the interpreter. Where a second holder is not seen (an
    interpreter without exact reference counts), in-place sums are turned off.
    """
    if not hasattr(sys, "getrefcount"):
        return -1, -1
    alone_in_list = _item_refs_with_one_local()
    alone_as_arg = _arg_refs_with_one_local()
    items = [np.empty(0)]
    other = items[0]
    prev = items[0]  # noqa: F841
    if _item_refs(items, 0) <= alone_in_list or _arg_refs(other) <= alone_as_arg:
        return -1, -1
    return alone_in_list, alone_as_arg


_ALONE_IN_LIST, _ALONE_AS_ARG = _calibrate()


def _writable_array(a, like):
    return type(a) is np.ndarray and a.base is None and a.dtype == like.dtype and a.shape == like.shape and \
        a.flags.writeable


def sum_into(items, i, g):
    """``items[i] += g`` (``items[i]`` None: ``g``), written into an operand that nothing else references.

    The caller holds ``items`` and ``g`` in one variable each; ``g`` is written into only when nothing else holds it.
    """
    prev = items[i]
    if prev is None:
        items[i] = g
        return
    # numpy's add for small gradients, in the fewest steps (the per-op overhead); large ones on Numba's threads
    add = np.add if small(g.size) else threaded_add
    if type(g) is np.ndarray and _writable_array(prev, g) and _item_refs(items, i) <= _ALONE_IN_LIST:
        add(prev, g, out=prev)
    elif _writable_array(g, prev) and _arg_refs(g) <= _ALONE_AS_ARG + 1:  # + 1: this function's own ``g``
        add(prev, g, out=g)
        items[i] = g
    else:
        items[i] = add(prev, g)


def add_into(total, g):
    """``total += g`` (a ``.grad`` summed over backward calls): on Numba's threads where that pays, as ``sum_into``."""
    if type(total) is np.ndarray and not small(total.size):
        threaded_add(total, g, out=total)
    else:
        total += g


def _base_refs(view):
    return sys.getrefcount(view.base)


def _base_refs_when_alone():
    """The reference count ``_base_refs`` sees for the base of a view that alone holds it; -1 where a second
    holder is not seen (in-place hand-overs of views are then off)."""
    if not hasattr(sys, "getrefcount"):
        return -1
    view = np.empty(8).reshape(2, 4)
    alone = _base_refs(view)
    other = view.base
    return alone if _base_refs(view) > alone and other is view.base else -1


_BASE_ALONE = _base_refs_when_alone()


def held_only_by(items, i):
    """Whether ``items[i]`` is an array that nothing but ``items`` references (so it may be given away without a
    copy; the caller holds it in no variable): one owning its memory, or a C-contiguous view of all of a base that
    only the view holds (a kernel's flat output reshaped; the 8 MiB gradient of a 16x32x64x64 max pooling was
    copied, ~0.5 ms). Small arrays answer False: copying them costs less than asking."""
    a = items[i]
    if type(a) is not np.ndarray or a.nbytes <= 4096 or not a.flags.writeable or \
            _item_refs(items, i) > _ALONE_IN_LIST:
        return False
    base = a.base
    if base is None:
        return True
    if type(base) is not np.ndarray or base.base is not None or base.nbytes != a.nbytes or not a.flags.c_contiguous:
        return False
    del base  # counted by _base_refs otherwise
    return _base_refs(a) <= _BASE_ALONE
