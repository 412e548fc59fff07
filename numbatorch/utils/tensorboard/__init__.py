"""``numbatorch.utils.tensorboard``: ``SummaryWriter`` writing real TensorBoard event files.

Needs the optional ``tensorboard`` package (``pip install 'numbatorch[tensorboard]'``), as PyTorch's does.
"""
from ..._optional import import_optional

import_optional("tensorboard", "tensorboard", "numbatorch.utils.tensorboard")

from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter"]
