"""Per-device kernel dispatch: ``kernel_family("conv").conv_forward(x, ...)`` runs ``backends.<device>.conv``.

A family module names its kernels once, ``kernels = kernel_family("conv")``, and calls entry points on it as on
a module. A call whose arguments are all host values runs ``backends.cpu`` (the fast path: one set lookup per
argument), a call with a device array runs ``backends.cuda`` after checking that its data arrays share that
device, so a Numba CPU kernel never receives device memory. The CUDA module is imported the first time a
device array reaches the family, never at ``import numbatorch``.

An entry point without a CUDA twin runs its CPU kernel on host copies of the arguments and copies the
results back to the device: correct, and never a Numba CPU kernel reading device memory, but a round trip
that a ``backends/cuda/<family>.py`` entry point of the same name replaces. Names starting with ``_`` and
constants are the CPU module's own, as they are.
"""
import importlib
import importlib.util

import numpy as np

from .. import _device  # imported as a module: _device imports backends.cuda._simulated, which runs this package


def _first_device_array(args, kwargs):
    """The first device array among the arguments."""
    return next(a for a in (*args, *kwargs.values()) if _device.is_device_array(a))


def _check_same_device(args, kwargs):
    """PyTorch's error when a kernel's data arrays are on different devices, named in argument order. Integer
    host arrays are metadata some kernels take on the host (a packed batch's ``lengths``, as in PyTorch)."""
    first = None
    for a in (*args, *kwargs.values()):
        if _device.is_device_array(a) or (isinstance(a, np.ndarray) and a.dtype.kind in "fc"):
            device = _device.device_of(a)
            if first is None:
                first = device
            elif device != first:
                raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                                   f"{first} and {device}!")


def _map_arrays(fn, value):
    """``fn`` applied to the arrays in ``value`` (an array, or a tuple, named tuple or list holding some)."""
    if isinstance(value, (tuple, list)):
        items = [_map_arrays(fn, v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, np.ndarray) or _device.is_device_array(value):
        return fn(value)
    return value


def _cuda_kernel(family, name, cpu_kernel):
    """The function that runs entry point ``name`` of ``family`` on CUDA device arrays."""
    from .cuda import _array
    module_name = f"{__package__}.cuda.{family}"
    module = importlib.import_module(module_name) if importlib.util.find_spec(module_name) else None
    kernel = getattr(module, name, None)

    if kernel is not None:
        if not _array.SIMULATOR:
            return kernel

        def simulated(*args, **kwargs):
            return _array.as_device_result(kernel(*args, **kwargs))
        return simulated

    def through_host(*args, **kwargs):
        index = _device.device_of(_first_device_array(args, kwargs)).index
        args = [_map_arrays(_array.to_host, a) for a in args]
        kwargs = {k: _map_arrays(_array.to_host, v) for k, v in kwargs.items()}
        return _map_arrays(lambda a: _array.to_device(a, index), cpu_kernel(*args, **kwargs))
    return through_host


# Argument types that are never device memory: the CPU path checks each argument against this set only.
_HOST_TYPES = frozenset({np.ndarray, int, float, bool, str, tuple, type(None)})


def _dispatching(family, name, cpu_kernel):
    cuda_kernel = None

    def kernel(*args, **kwargs):
        nonlocal cuda_kernel
        for a in args:
            if type(a) not in _HOST_TYPES and _device.is_device_array(a):
                break
        else:
            for a in kwargs.values():
                if type(a) not in _HOST_TYPES and _device.is_device_array(a):
                    break
            else:  # every array is host memory: the CPU kernel (never given a device array)
                return cpu_kernel(*args, **kwargs)
        _check_same_device(args, kwargs)
        if cuda_kernel is None:
            cuda_kernel = _cuda_kernel(family, name, cpu_kernel)
        return cuda_kernel(*args, **kwargs)

    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = cpu_kernel.__doc__
    return kernel


class KernelFamily:
    """The entry points of ``backends.<device>.<family>``, each run on the device of its array arguments."""

    def __init__(self, family):
        self._family = family
        self._cpu = importlib.import_module(f"{__package__}.cpu.{family}")

    def __getattr__(self, name):
        value = getattr(self._cpu, name)
        if callable(value) and not name.startswith("_"):
            value = _dispatching(self._family, name, value)
        setattr(self, name, value)  # looked up once per name
        return value


def kernel_family(family):
    """The kernels of op family ``family`` (a module name of ``backends/cpu``), dispatched per device."""
    return KernelFamily(family)
