"""The MPI engine under ``numbatorch.distributed``: mpi4py, imported on first use only.

``import numbatorch`` must not start MPI (mpi4py initialises MPI when ``mpi4py.MPI`` is imported), so every
call that needs MPI goes through ``mpi()``; a missing mpi4py names ``pip install numbatorch[distributed]``.
"""
import importlib.util
import sys

from .._optional import import_optional

_FEATURE = "numbatorch.distributed"


def available():
    """True when mpi4py can be imported (checked without importing it, so MPI is not started)."""
    return "mpi4py" in sys.modules or importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module (importing it initialises MPI once per process)."""
    module = sys.modules.get("mpi4py.MPI")
    if module is None:
        module = import_optional("mpi4py.MPI", "distributed", _FEATURE)
    return module


def buffer(tensor, name="tensor"):
    """The tensor's numpy array, handed to MPI as a buffer (never pickled); it must be contiguous."""
    from .._tensor import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(tensor).__name__}")
    data = tensor._data
    if not data.flags.c_contiguous:
        raise ValueError("Tensors must be contiguous")
    return data


def bump_version(*tensors):
    """Record an in-place write by a collective, as PyTorch's version counter does."""
    for t in tensors:
        t._version_counter[0] += 1
