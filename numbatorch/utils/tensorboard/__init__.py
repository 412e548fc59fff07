"""``numbatorch.utils.tensorboard``: ``SummaryWriter`` writing real TensorBoard event files.

Needs the optional ``tensorboard`` package (``pip install tensorboard``), as PyTorch's does.
"""
try:
    import tensorboard  # noqa: F401
except ImportError as err:
    raise ImportError("numbatorch.utils.tensorboard needs the tensorboard package: pip install tensorboard") from err

from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter"]
