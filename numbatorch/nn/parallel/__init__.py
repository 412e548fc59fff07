"""``numbatorch.nn.parallel``: ``DistributedDataParallel`` (on MPI) and the CPU ``DataParallel`` wrappers."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
