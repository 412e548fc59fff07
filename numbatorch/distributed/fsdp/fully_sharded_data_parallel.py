"""FullyShardedDataParallel: numbatorch does not implement it; the type exists for ``isinstance`` checks."""
from ...nn.modules.module import Module


class FullyShardedDataParallel(Module):
    """A module whose parameters are sharded over ranks; not implemented (use DistributedDataParallel).

    Args:
        module: the module to shard.

    Shape:
        - Input and output: those of ``module``.
    """

    def __init__(self, module, *args, **kwargs):
        raise NotImplementedError("numbatorch does not implement torch.distributed.fsdp.FullyShardedDataParallel "
                                  "yet; use torch.nn.parallel.DistributedDataParallel")
