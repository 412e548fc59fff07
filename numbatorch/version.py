"""``torch.version``: the version of numbatorch and of the GPU toolkits it was built with (none)."""
from . import __version__  # noqa: F401

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = "Unknown"
