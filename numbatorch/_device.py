"""``numbatorch.device``: where a tensor's storage lives, and which device holds an array.

A tensor's device is a property of the array it holds: a numpy ``ndarray`` is CPU memory, a CuPy array (or,
under Numba's CUDA simulator, a ``SimulatedDeviceArray``) is memory of a CUDA device. Results of ops are
arrays of the same kind as their operands, so the device follows through every op without bookkeeping.
"""
import builtins

import numpy as np

from .backends.cuda._simulated import SimulatedDeviceArray


# PyTorch's device types, in the order its "Expected one of ..." message lists them. A device object may name
# any of them (as in PyTorch); tensors live on the CPU or, when ``numbatorch.cuda.is_available()``, on 'cuda'.
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


def _parse(spec):
    """``"cuda:1"`` -> ``("cuda", 1)`` with PyTorch's errors for unknown types and malformed indices."""
    if not spec:
        raise RuntimeError("Device string must not be empty")
    kind, sep, idx = spec.partition(":")
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                           f"{spec}")
    if not sep:
        return kind, None
    # one decimal index without sign, spaces or leading zeros ("cuda:0", "cuda:12")
    if not (idx.isascii() and idx.isdigit()) or (len(idx) > 1 and idx[0] == "0"):
        raise RuntimeError(f"Invalid device string: '{spec}'")
    return kind, int(idx)


def _type_name(obj):
    return builtins.type(obj).__name__  # ``type`` is device()'s argument name, as in PyTorch


class device:
    """A device such as ``device('cpu')``, ``device('cuda:0')`` or ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            # a bare index names a device of the accelerator, CUDA when there is one
            from . import cuda
            if not cuda.is_available():
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        elif not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' (position 1) must be str, not {_type_name(type)}")
        else:
            type, parsed = _parse(type)
            if parsed is not None and index is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly: "
                                   f"{type}:{parsed}")
            if parsed is not None:
                index = parsed
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not {_type_name(index)}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:  # a device type this build does not know ('npu') is not this device
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def is_device_array(array):
    """Whether ``array`` is CUDA device memory (a CuPy array, or a simulated one under the simulator)."""
    return isinstance(array, SimulatedDeviceArray) or hasattr(array, "__cuda_array_interface__")


def device_of(array):
    """The device holding ``array`` (a numpy array is on the CPU)."""
    if type(array) is np.ndarray or not is_device_array(array):
        return CPU
    return device("cuda", array.device.id)


def resolve(spec):
    """The device a tensor is placed on for ``spec`` (a str, int or device): 'cuda' gets the current index.

    Raises PyTorch's errors for a device this process cannot use.
    """
    dev = spec if isinstance(spec, device) else device(spec)
    if dev.type == "cpu":
        return CPU
    from . import cuda
    if dev.type != "cuda" or not cuda.is_available():
        cuda._raise_unavailable()
    index = cuda.current_device() if dev.index is None else dev.index
    if index >= cuda.device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    return dev if dev.index is not None else device("cuda", index)


def move(array, dev):
    """``array`` on device ``dev`` (from ``resolve``): itself when it is there already, else a copy there."""
    src = device_of(array)
    if src == dev:
        return array
    from .backends.cuda import _array  # imports numba.cuda: only once a tensor goes to or from 'cuda'
    if dev.type == "cpu":
        return _array.to_host(array)
    return _array.to_device(array, dev.index)


def same_device(x, y):
    """Arrays ``x`` and ``y`` of one op on one device: a 0-d CPU array joins the other's device (PyTorch lets a
    CPU scalar tensor take part in a 'cuda' op); otherwise PyTorch's error for operands on two devices."""
    dx, dy = device_of(x), device_of(y)
    if dx == dy:
        return x, y
    if dx.type == "cpu" and x.ndim == 0:
        return move(x, dy), y
    if dy.type == "cpu" and y.ndim == 0:
        return x, move(y, dx)
    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, {dx} and {dy}!")


# The device factories create on when they get no ``device=`` (``set_default_device``); None: the CPU.
factory_default = None


def set_factory_default(spec):
    """Make ``spec`` (None or a device) the device factories create on by default."""
    global factory_default
    dev = None if spec is None else resolve(spec)
    factory_default = None if dev is None or dev.type == "cpu" else dev
