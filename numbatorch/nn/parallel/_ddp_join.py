"""DistributedDataParallel under ``Join`` (uneven inputs): the collectives of one DDP iteration, issued the same
way by ranks still training (``forward_sync``, then the reducer's bucket all-reduces in backward) and by ranks
that have joined (``DDPJoinHook.main_hook``, with zeros), so they always match.

One iteration, in order: the join count (``Join.notify_join_context``); when buffers are broadcast, an
all-reduce (MAX) choosing the highest training rank as the source of buffers, and their broadcast from it; an
all-reduce saying whether any rank syncs gradients this iteration; if so, one non-blocking all-reduce per
gradient bucket and, with ``find_unused_parameters``, the all-reduce of which parameters were used. After all
ranks have joined, the last joiner with the highest rank broadcasts its parameters and buffers to every rank,
so all end with the same model. Gradients are divided by the initial world size, or with
``divide_by_initial_world_size=False`` by the number of ranks still training.
"""
import numpy as np

from ... import autograd
from ...distributed import _mpi
from ...distributed.algorithms.join import Join, JoinHook

__all__ = ["DDPJoinHook", "forward_sync"]


def _all_reduce_int(ddp, value, op_name):
    MPI = _mpi.mpi()
    buf = np.array([value], dtype=np.int64)
    ddp.process_group._comm.Allreduce(MPI.IN_PLACE, buf, getattr(MPI, op_name))
    return int(buf[0])


def _broadcast_from(ddp, tensors, root):
    """Copy the values of ``tensors`` on rank ``root`` of DDP's group to every rank (one Bcast per tensor)."""
    comm = ddp.process_group._comm
    with autograd.no_grad():
        for t in tensors:
            comm.Bcast(t._data, root=root)
            t._version_counter[0] += 1


def _sync_buffers(ddp, training):
    buffers = [b for b in ddp._module_buffers if b is not None]
    if ddp.broadcast_buffers and buffers and ddp.process_group.size() > 1:
        root = _all_reduce_int(ddp, ddp.process_group.rank() if training else -1, "MAX")
        _broadcast_from(ddp, buffers, root)


def forward_sync(ddp):
    """The collectives a training rank issues before its forward under ``Join``; returns whether gradients are
    synchronised in this iteration's backward."""
    work = Join.notify_join_context(ddp)
    _sync_buffers(ddp, training=True)
    sync = _all_reduce_int(ddp, int(ddp.require_backward_grad_sync), "SUM") > 0
    if work is not None:
        training_ranks = int(work.result()[0].item())
        ddp.reducer.divisor = None if ddp._divide_by_initial_world_size else training_ranks
    return sync


class DDPJoinHook(JoinHook):
    """What a joined rank does for a DistributedDataParallel: shadow one iteration's collectives with zero
    gradients, and at the end take the final model from the last joiner."""

    def __init__(self, ddp, divide_by_initial_world_size=True):
        self.ddp = ddp
        ddp._divide_by_initial_world_size = divide_by_initial_world_size

    def main_hook(self):
        """Match one training iteration: buffer sync, the gradient-sync flag, zero buckets, unused parameters."""
        ddp = self.ddp
        _sync_buffers(ddp, training=False)
        if _all_reduce_int(ddp, 0, "SUM") == 0:
            return
        MPI = _mpi.mpi()
        comm = ddp.process_group._comm
        requests = [comm.Iallreduce(MPI.IN_PLACE, np.zeros_like(bucket.buffer), MPI.SUM)
                    for bucket in ddp.reducer.buckets]
        MPI.Request.Waitall(requests)
        if ddp.reducer.find_unused_parameters:
            comm.Allreduce(MPI.IN_PLACE, np.zeros(len(ddp.reducer.params), dtype=np.uint8), MPI.MAX)

    def post_hook(self, is_last_joiner):
        """Every rank takes the parameters and buffers of the highest-ranked last joiner."""
        ddp = self.ddp
        root = _all_reduce_int(ddp, ddp.process_group.rank() if is_last_joiner else -1, "MAX")
        states = list(ddp.module.parameters()) + [b for b in ddp._module_buffers if b is not None]
        _broadcast_from(ddp, states, root)
