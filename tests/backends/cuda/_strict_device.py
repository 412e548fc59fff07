"""The simulator's device arrays made as strict as CuPy's: a host ndarray operand of a ufunc, numpy function,
index or assignment raises ``TypeError`` instead of silently joining the device array (on a GPU such code fails,
while the plain simulator computes the right values), and an element read (an index, ``np.take`` ...) is a 0-d
device array, not a host scalar."""
import contextlib

import numpy as np

from numbatorch.backends.cuda._simulated import SimulatedDeviceArray


def _host_arrays(values):
    found = []
    for v in values:
        if isinstance(v, (tuple, list)):
            found += _host_arrays(v)
        elif type(v) is np.ndarray:
            found.append(v)
    return found


def _plain(a):
    return a.view(np.ndarray) if isinstance(a, SimulatedDeviceArray) else a


def _device(result):
    """A ufunc result as the device array (0-d ones included) that the subclass would have given."""
    return np.asarray(result).view(SimulatedDeviceArray)


@contextlib.contextmanager
def strict_device_arrays():
    """Within the block, mixing host ndarrays into device-array operations raises (numpy's own calls inside a
    dispatched function excepted); ``np.asarray(host, like=device)``, the explicit copy, is allowed."""
    depth = [0]
    lenient = SimulatedDeviceArray.__array_function__

    def refuse(what, values):
        host = _host_arrays(values)
        if host and not depth[0]:
            raise TypeError(f"host arrays {[a.shape for a in host]} in device {what}")

    def array_ufunc(self, ufunc, method, *inputs, **kwargs):
        refuse(f"ufunc {ufunc.__name__}.{method}", inputs + tuple(kwargs.get("out", ())))
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_plain(a) for a in out)
        result = getattr(ufunc, method)(*(_plain(a) for a in inputs), **kwargs)
        if result is None or out is not None:  # ufunc.at, or results written into the caller's arrays
            return None if result is None else (out[0] if len(out) == 1 else out)
        return tuple(map(_device, result)) if isinstance(result, tuple) else _device(result)

    def array_function(self, func, types, args, kwargs):
        if func not in (np.asarray, np.array):
            refuse(f"function {func.__name__}", args + tuple(kwargs.values()))
        depth[0] += 1
        try:
            result = lenient(self, func, types, args, kwargs)
        finally:
            depth[0] -= 1
        return _device(result) if isinstance(result, np.generic) else result

    def getitem(self, key):
        refuse("index", key if isinstance(key, tuple) else (key,))
        item = np.ndarray.__getitem__(self, key)
        return _device(item) if isinstance(item, np.generic) else item  # CuPy gives 0-d arrays, not scalars

    def setitem(self, key, value):
        refuse("assignment", (key if isinstance(key, tuple) else (key,)) + (value,))
        np.ndarray.__setitem__(self, key, value)

    patched = {"__array_ufunc__": array_ufunc, "__array_function__": array_function, "__getitem__": getitem,
               "__setitem__": setitem}
    saved = {name: SimulatedDeviceArray.__dict__.get(name) for name in patched}
    for name, method in patched.items():
        setattr(SimulatedDeviceArray, name, method)
    try:
        yield
    finally:
        for name, method in saved.items():
            if method is None:
                delattr(SimulatedDeviceArray, name)
            else:
                setattr(SimulatedDeviceArray, name, method)
