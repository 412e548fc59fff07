"""Compute backends: ``cpu`` holds the Numba kernels, module-level functions on raw numpy arrays."""
