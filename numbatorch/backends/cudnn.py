"""``numbatorch.backends.cudnn``: PyTorch's cuDNN flags, kept so programs that set them run unchanged.

numbatorch has no cuDNN: ``is_available()`` is False and ``version()`` is None, as in a CPU-only PyTorch.
The flags are stored and read back; ``deterministic`` and ``benchmark`` change nothing here.
"""
import contextlib

__all__ = ["allow_tf32", "benchmark", "benchmark_limit", "deterministic", "enabled", "flags", "is_acceptable",
           "is_available", "version"]

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    """Whether cuDNN can be used: never in numbatorch."""
    return False


def version():
    """cuDNN's version, or None when it is not available."""
    return None


def is_acceptable(tensor):
    """Whether cuDNN could run on ``tensor``: never, since numbatorch tensors are not CUDA tensors for cuDNN."""
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags inside the ``with`` block and restore the previous values after it."""
    module = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    previous = {name: module[name] for name in names}
    module.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
                  deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(previous)
