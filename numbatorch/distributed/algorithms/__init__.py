"""``numbatorch.distributed.algorithms``: training algorithms over a process group (``Join`` for uneven inputs)."""
from .join import Join, Joinable, JoinHook  # noqa: F401
