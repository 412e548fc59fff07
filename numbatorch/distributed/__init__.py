"""``numbatorch.distributed``: PyTorch's ``torch.distributed`` API on MPI (mpi4py).

Launch with ``mpiexec -n N python train.py`` or ``python -m numbatorch.distributed.run -n N train.py``.
Importing this package does not start MPI; ``is_available()`` says whether mpi4py is installed and the
other calls need it (``pip install numbatorch[distributed]``).

Faults: after ``init_process_group`` an uncaught exception or an uncaught non-zero ``sys.exit``, ``exit`` or
``quit`` on any rank aborts the whole job (``MPI_Abort``) instead of leaving the other ranks waiting in a
collective; under the launcher a rank that exits with a non-zero status any other way (``raise SystemExit(n)``
included) or fails before MPI starts ends the job too.
A rank killed by a signal ends it through mpiexec.
"""
from ._reduce_op import ReduceOp  # noqa: F401
from ._work import Work  # noqa: F401
from .collectives import (all_gather, all_gather_into_tensor, all_reduce, all_to_all, broadcast,  # noqa: F401
                          gather, irecv, isend, recv, reduce, reduce_scatter, reduce_scatter_tensor, scatter, send)
from .distributed_c10d import (Backend, GroupMember, ProcessGroup, barrier, destroy_process_group,  # noqa: F401
                               get_backend, get_global_rank, get_group_rank, get_process_group_ranks, get_rank,
                               get_world_size, group, init_process_group, is_available, is_gloo_available,
                               is_initialized, is_mpi_available, is_nccl_available, is_torchelastic_launched,
                               new_group)
from .object_collectives import (all_gather_object, broadcast_object_list, gather_object,  # noqa: F401
                                 scatter_object_list)
