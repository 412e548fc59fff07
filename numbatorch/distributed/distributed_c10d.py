"""Process groups on MPI: ``init_process_group``, rank and size queries, ``new_group``, ``barrier``.

A process group wraps an MPI communicator (a duplicate of ``COMM_WORLD``, so the user's own MPI traffic
never mixes with numbatorch's). Rank and world size come from MPI; ``src``/``dst`` arguments are global
ranks, as in PyTorch, and are translated to ranks within the group.
"""
import os
import sys
import time
import traceback

from . import _exit_abort, _mpi
from ._work import Work

__all__ = ["Backend", "GroupMember", "ProcessGroup", "barrier", "destroy_process_group", "get_backend",
           "get_global_rank", "get_group_rank", "get_process_group_ranks", "get_rank", "get_world_size", "group",
           "init_process_group", "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
           "is_nccl_available", "is_torchelastic_launched", "new_group"]


class Backend(str):
    """Backend names; numbatorch has one, ``Backend.MPI`` (``"mpi"``)."""

    MPI = "mpi"
    UNDEFINED = "undefined"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name}")
        value = name.lower()
        if value != cls.MPI:
            raise ValueError(f"Backend {name!r} is not available in numbatorch: numbatorch.distributed runs on "
                             f"MPI only; use init_process_group(backend='mpi')")
        return super().__new__(cls, value)


class ProcessGroup:
    """A set of ranks that run collectives together: an MPI communicator plus the global ranks it holds."""

    def __init__(self, comm, ranks, name=""):
        self._comm = comm
        self._ranks = tuple(ranks)
        self._name = name

    def rank(self):
        """This process's rank within the group."""
        return self._comm.Get_rank()

    def size(self):
        """Number of ranks in the group."""
        return self._comm.Get_size()

    def name(self):
        """The backend name, ``"mpi"``."""
        return Backend.MPI

    @property
    def group_name(self):
        return self._name

    def __repr__(self):
        return f"ProcessGroup(backend=mpi, ranks={list(self._ranks)})"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialised; ``NON_GROUP_MEMBER`` marks outsiders."""

    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    """``group.WORLD``: the default process group (None before ``init_process_group``)."""

    WORLD = None


_state = {"groups": [], "excepthook": None}
# Seconds an aborting rank waits after printing its traceback, so mpiexec forwards it before the job ends.
_ABORT_GRACE_S = 0.2


def is_available():
    """True when numbatorch.distributed can run (mpi4py is installed); never starts MPI."""
    return _mpi.available()


def is_mpi_available():
    """True when the MPI backend can be used (mpi4py is installed)."""
    return _mpi.available()


def is_gloo_available():
    """False: numbatorch has no Gloo backend."""
    return False


def is_nccl_available():
    """False: numbatorch has no NCCL backend."""
    return False


def is_torchelastic_launched():
    """True under ``python -m numbatorch.distributed.run`` (which sets TORCHELASTIC_RUN_ID, as torchrun does)."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    """True once ``init_process_group`` ran (and until ``destroy_process_group``)."""
    return GroupMember.WORLD is not None


def _abort_on_uncaught(previous):
    """An excepthook that prints the traceback, then aborts every rank: a rank that raises while the others
    wait in a collective would otherwise leave the job spinning until killed."""

    def hook(exc_type, exc, tb):
        try:
            if previous is sys.__excepthook__:
                # One write, then a moment for mpiexec to forward it: Abort tears the job down at once, and a
                # traceback printed line by line was seen cut after its first lines.
                sys.stderr.write("".join(traceback.format_exception(exc_type, exc, tb)))
            else:
                previous(exc_type, exc, tb)
            sys.stderr.flush()
            sys.stdout.flush()
            time.sleep(_ABORT_GRACE_S)
        finally:
            _mpi.mpi().COMM_WORLD.Abort(1)

    return hook


def _check_launch_value(name, given, actual, source):
    if given is not None and int(given) != actual:
        raise RuntimeError(f"{name} {given} from {source} does not match the MPI {name} {actual}: "
                           f"numbatorch.distributed takes rank and world size from MPI; launch with "
                           f"'mpiexec -n N python script.py' or 'python -m numbatorch.distributed.run -n N script.py'")


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Start the default process group on MPI: one rank per MPI process of the job.

    ``backend`` is ``"mpi"`` (or None); ``init_method`` may be ``"env://"``: RANK and WORLD_SIZE, when set, must
    match MPI's. ``timeout`` is accepted for compatibility; like PyTorch's MPI backend, MPI collectives have none.
    """
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None:
        Backend(backend)
    if init_method is not None and init_method != "env://":
        raise ValueError(f"init_method {init_method!r} is not supported: numbatorch.distributed starts from MPI "
                         f"(use init_method=None or 'env://')")
    if store is not None:
        raise ValueError("store is not supported: numbatorch.distributed starts from MPI, which needs no store")
    if device_id is not None and str(device_id) != "cpu":
        raise ValueError(f"device_id {device_id!r} is not supported: numbatorch.distributed runs on CPU")
    MPI = _mpi.mpi()
    comm = MPI.COMM_WORLD.Dup()
    actual_rank, actual_size = comm.Get_rank(), comm.Get_size()
    _check_launch_value("rank", None if rank == -1 else rank, actual_rank, "init_process_group")
    _check_launch_value("world size", None if world_size == -1 else world_size, actual_size, "init_process_group")
    _check_launch_value("rank", os.environ.get("RANK"), actual_rank, "the RANK variable")
    _check_launch_value("world size", os.environ.get("WORLD_SIZE"), actual_size, "the WORLD_SIZE variable")
    world = ProcessGroup(comm, range(actual_size), group_name or "0")
    GroupMember.WORLD = group.WORLD = world
    _state["groups"] = [world]
    if actual_size > 1 and _state["excepthook"] is None:
        _state["excepthook"] = sys.excepthook
        sys.excepthook = _abort_on_uncaught(sys.excepthook)
        _exit_abort.install()


def destroy_process_group(group=None):
    """Free ``group`` (default: the default group and every group made by ``new_group``)."""
    if group is None or group is GroupMember.WORLD:
        for pg in _state["groups"]:
            pg._comm.Free()
        _state["groups"] = []
        GroupMember.WORLD = globals()["group"].WORLD = None
        if _state["excepthook"] is not None:
            sys.excepthook, _state["excepthook"] = _state["excepthook"], None
            _exit_abort.uninstall()
        return
    if group in _state["groups"]:
        _state["groups"].remove(group)
        group._comm.Free()


def _default_group():
    if GroupMember.WORLD is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return GroupMember.WORLD


def resolve(group):
    """The ProcessGroup for ``group`` (None means the default one); None when this rank is not in it."""
    world = _default_group()
    if group is None or group is GroupMember.WORLD:
        return world
    if group == GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(group, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup made by new_group, got {type(group).__name__}")
    return group


def get_rank(group=None):
    """This process's rank in ``group`` (default: the global rank); -1 when it is not a member."""
    pg = resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None):
    """Number of ranks in ``group`` (default: all); -1 when this process is not a member."""
    pg = resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    """The backend of ``group``: ``"mpi"``."""
    resolve(group)
    return Backend.MPI


def get_process_group_ranks(group):
    """The global ranks of ``group``'s members, in group-rank order."""
    pg = resolve(group)
    return list(pg._ranks) if pg is not None else []


def get_global_rank(group, group_rank):
    """The global rank of member ``group_rank`` of ``group``."""
    pg = resolve(group)
    if not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
    return pg._ranks[group_rank]


def get_group_rank(group, global_rank):
    """The rank within ``group`` of the process with global rank ``global_rank``."""
    return group_rank_of(resolve(group), global_rank)


def group_rank_of(pg, global_rank, name="rank"):
    """Translate a global ``src``/``dst`` rank to a rank in ``pg``, with PyTorch's error when it is not there."""
    try:
        return pg._ranks.index(int(global_rank))
    except ValueError:
        raise ValueError(f"Global {name} {global_rank} is not part of group {pg}") from None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A process group of the global ``ranks`` (default: all). Every rank of the job must call it."""
    world = _default_group()
    if backend is not None:
        Backend(backend)
    size = world.size()
    members = sorted(set(range(size) if ranks is None else (int(r) for r in ranks)))
    for r in members:
        if not 0 <= r < size:
            raise ValueError(f"Invalid rank {r} in new_group: the world size is {size}")
    MPI = _mpi.mpi()
    mpi_group = world._comm.Get_group().Incl(members)
    comm = world._comm.Create(mpi_group)
    mpi_group.Free()
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, members, group_desc or str(len(_state["groups"])))
    _state["groups"].append(pg)
    return pg


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of ``group`` reached this call (``async_op=True``: return a Work to wait on)."""
    pg = resolve(group)
    if pg is None:
        return None
    work = Work([pg._comm.Ibarrier()])
    return work if async_op else work.wait() and None
