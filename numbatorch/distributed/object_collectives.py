"""Collectives of picklable Python objects (metadata, metrics, configs), as PyTorch offers them.

Objects are pickled by mpi4py's lower-case API; tensors should go through the buffer collectives instead.
"""
from .distributed_c10d import group_rank_of, resolve

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[i]`` with rank i's ``obj`` (``object_list`` must have world_size entries)."""
    pg = resolve(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have {pg.size()} entries (one per rank), "
                         f"got {len(object_list)}")
    object_list[:] = pg._comm.allgather(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s entries on every rank by those of rank ``src`` (default 0)."""
    pg = resolve(group)
    if pg is None:
        return
    root = group_src if group_src is not None else group_rank_of(pg, 0 if src is None else src, "src")
    received = pg._comm.bcast(list(object_list) if pg.rank() == root else None, root=root)
    if len(received) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {pg._ranks[root]} sent {len(received)} objects, but "
                         f"object_list here has {len(object_list)} entries")
    object_list[:] = received


def gather_object(obj, object_gather_list=None, dst=0, group=None, group_dst=None):
    """Rank ``dst`` receives every rank's ``obj`` into ``object_gather_list`` (world_size entries)."""
    pg = resolve(group)
    if pg is None:
        return
    root = group_dst if group_dst is not None else group_rank_of(pg, dst, "dst")
    if pg.rank() == root and (object_gather_list is None or len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list must have {pg.size()} entries on the destination rank")
    gathered = pg._comm.gather(obj, root=root)
    if pg.rank() == root:
        object_gather_list[:] = gathered


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=0, group=None,
                        group_src=None):
    """Rank ``src`` sends ``scatter_object_input_list[i]`` to rank i, which stores it in
    ``scatter_object_output_list[0]``."""
    pg = resolve(group)
    if pg is None:
        return
    root = group_src if group_src is not None else group_rank_of(pg, src, "src")
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    if pg.rank() == root and (scatter_object_input_list is None or len(scatter_object_input_list) != pg.size()):
        raise ValueError(f"scatter_object_list: scatter_object_input_list must have {pg.size()} entries on the "
                         f"source rank")
    scatter_object_output_list[0] = pg._comm.scatter(
        list(scatter_object_input_list) if pg.rank() == root else None, root=root)
