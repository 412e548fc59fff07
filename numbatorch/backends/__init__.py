"""Compute backends: ``cpu`` holds the Numba kernels, module-level functions on raw numpy arrays."""
from . import cudnn, mps  # noqa: F401  (torch.backends.cudnn/mps flags, reachable after import torch)
