"""``numbatorch.accelerator``: the device-agnostic accelerator API (``torch.accelerator``).

numbatorch's only accelerator type is CUDA, and it counts as present exactly when ``numbatorch.cuda`` says so;
on a CPU-only machine there is none and ``current_accelerator()`` is ``None``, as in PyTorch.
"""
from . import cuda
from ._device import device as _device

__all__ = ["current_accelerator", "current_device_index", "current_device_idx", "device_count", "is_available",
           "set_device_index", "set_device_idx", "synchronize"]


def device_count():
    """Number of accelerator devices (0 when there is none)."""
    return cuda.device_count()


def is_available():
    """True when an accelerator device can be used."""
    return device_count() > 0


def current_accelerator(check_available=False):
    """The accelerator ``device`` type (``device(type='cuda')``), or ``None`` when there is none."""
    return _device("cuda") if is_available() else None


def current_device_index():
    """Index of the current accelerator device (always 0: numbatorch uses one)."""
    _require("current_device_index")
    return 0


current_device_idx = current_device_index


def set_device_index(device):
    """Select the current accelerator device (numbatorch uses device 0)."""
    _require("set_device_index")
    index = device.index if isinstance(device, _device) else int(device)
    if index not in (0, None, -1):
        raise RuntimeError(f"set_device_index: numbatorch uses accelerator device 0 only, got {index}")


set_device_idx = set_device_index


def synchronize(device=None):
    """Wait for pending accelerator work; numbatorch runs its ops synchronously, so nothing is pending."""
    _require("synchronize")


def _require(what):
    if not is_available():
        raise RuntimeError(f"Cannot access accelerator device when none is available. (torch.accelerator.{what})")
