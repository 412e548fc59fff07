"""``torch.nn.attention``: choosing the kernel of ``F.scaled_dot_product_attention``.

numbatorch has one attention kernel, which computes what all of PyTorch's backends compute (the math backend),
so ``sdpa_kernel`` checks its argument as PyTorch does and changes nothing.
"""
import contextlib
import enum

__all__ = ["SDPBackend", "WARN_FOR_UNFUSED_KERNELS", "sdpa_kernel"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The kernels PyTorch can pick for scaled dot-product attention."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """``with sdpa_kernel(SDPBackend.X or [backends]):`` restricts attention to those kernels in PyTorch; here
    every choice runs numbatorch's one kernel."""
    listed = backends if isinstance(backends, list) else [backends]
    if not all(isinstance(backend, SDPBackend) for backend in listed):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    yield {}
