"""Exception classes PyTorch exports at its top level, so ``except torch.OutOfMemoryError:`` works."""

__all__ = ["AcceleratorError", "FatalError", "OutOfMemoryError"]


class OutOfMemoryError(RuntimeError):
    """A device ran out of memory (PyTorch raises it for CUDA; numpy raises MemoryError on the CPU)."""


class AcceleratorError(RuntimeError):
    """An error reported by an accelerator's runtime."""


class FatalError(Exception):
    """An unrecoverable error of the runtime."""
