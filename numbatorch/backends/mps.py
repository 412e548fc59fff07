"""``numbatorch.backends.mps``: Apple's Metal backend, which numbatorch does not have."""

__all__ = ["is_available", "is_built", "is_macos_or_newer", "is_macos13_or_newer"]


def is_available():
    """Whether an MPS device can be used: never in numbatorch."""
    return False


def is_built():
    """Whether numbatorch was built with MPS support: it never is."""
    return False


def is_macos_or_newer(major, minor):
    """Whether MPS runs on macOS ``major.minor`` or newer; False without MPS."""
    return False


def is_macos13_or_newer(minor=0):
    """Whether MPS runs on macOS 13.``minor`` or newer; False without MPS."""
    return False
