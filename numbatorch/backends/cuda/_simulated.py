"""The array type of 'cuda' tensors under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

There is no device memory in the simulator: a 'cuda' tensor holds host memory, marked as device memory by
this ndarray subclass so that the device of every result follows from its operands, as it does with CuPy's
arrays on a GPU. Importing this module imports neither numba.cuda nor CuPy.
"""
import numpy as np


class _SimulatedDevice:
    """What CuPy's ``ndarray.device`` answers: the device index as ``id``."""

    __slots__ = ()
    id = 0


_DEVICE = _SimulatedDevice()


def _on_device(result):
    """numpy results marked as simulated device memory: arrays, also inside tuples, named tuples and lists, and
    the array attributes of a kernel's workspace object (a class with ``__slots__``, changed in place)."""
    if type(result) is np.ndarray:
        return result.view(SimulatedDeviceArray)
    if isinstance(result, (tuple, list)):
        items = [_on_device(r) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)
    for name in getattr(type(result), "__slots__", ()):
        value = getattr(result, name, None)
        if type(value) is np.ndarray:
            setattr(result, name, value.view(SimulatedDeviceArray))
    return result


class SimulatedDeviceArray(np.ndarray):
    """Host memory standing for memory of the simulated CUDA device 0.

    ufuncs and methods keep the subclass by themselves; numpy functions that build a new array
    (``concatenate``, ``where``, ``einsum``, ``pad`` ...) would return a plain ndarray, so their results are
    marked here, as CuPy's ``__array_function__`` returns CuPy arrays.
    """

    @property
    def device(self):
        """The device holding the array, like CuPy's ``ndarray.device`` (its ``id`` is the index)."""
        return _DEVICE

    def __array_function__(self, func, types, args, kwargs):
        return _on_device(super().__array_function__(func, types, args, kwargs))
