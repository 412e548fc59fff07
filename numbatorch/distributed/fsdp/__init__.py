"""``torch.distributed.fsdp``: the FSDP type, so that code can test for it (numbatorch does not shard models)."""
from .fully_sharded_data_parallel import FullyShardedDataParallel  # noqa: F401
