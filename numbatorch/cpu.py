"""``torch.cpu``: the device module of the CPU, with the same queries as ``torch.cuda``."""
import contextlib

__all__ = ["current_device", "device_count", "is_available", "set_device", "stream", "synchronize"]


def is_available():
    """True: the CPU is always available."""
    return True


def device_count():
    """1: the CPU counts as one device."""
    return 1


def current_device():
    """``'cpu'``."""
    return "cpu"


def set_device(device):
    """Nothing to select: there is one CPU device."""


def synchronize(device=None):
    """Nothing to wait for: CPU operations finish before they return."""


def stream(stream):
    """A context manager that does nothing: CPU work has no streams."""
    return contextlib.nullcontext()
