"""Compute backends: ``cpu`` holds the Numba kernels on numpy arrays, ``cuda`` the numba.cuda kernels on device
arrays; ``kernel_family`` picks between them per call by the device of the arrays."""
from . import cudnn, mps  # noqa: F401  (torch.backends.cudnn/mps flags, reachable after import torch)
from ._dispatch import kernel_family  # noqa: F401
