"""Tensor collectives on MPI: all_reduce, broadcast, all_gather, reduce, reduce_scatter, scatter, gather,
send/recv. Tensors travel as MPI buffers (their numpy arrays), never pickled.

Every collective first compares the tensors' shapes and dtypes across ranks (one small all-gather of a
fixed-size signature), so a mismatch raises the same clear error on every rank instead of corrupting data
or hanging inside MPI. ``async_op=True`` returns a ``Work``; otherwise the call blocks and returns None.
"""
import zlib

import numpy as np

from . import _mpi
from ._reduce_op import ReduceOp, mpi_op
from ._work import Work
from .distributed_c10d import group_rank_of, resolve

__all__ = ["all_gather", "all_gather_into_tensor", "all_reduce", "all_to_all", "broadcast", "gather", "irecv",
           "isend", "recv", "reduce", "reduce_scatter", "reduce_scatter_tensor", "scatter", "send"]


def _describe(arr):
    return f"[{', '.join(map(str, arr.shape))}] {arr.dtype}"


def _signature(arr):
    shape = np.asarray(arr.shape, dtype=np.int64).tobytes()
    return np.array([arr.dtype.num, arr.ndim, arr.size, zlib.crc32(shape)], dtype=np.int64)


def check_same_tensors(pg, op_name, arr):
    """Raise on every rank when ``arr``'s shape or dtype differs between the ranks of ``pg``."""
    sig = _signature(arr)
    every = np.empty((pg.size(), sig.size), dtype=np.int64)
    pg._comm.Allgather(sig, every)
    if (every == sig).all():
        return
    shapes = pg._comm.allgather(_describe(arr))
    listing = ", ".join(f"rank {pg._ranks[i]} has {s}" for i, s in enumerate(shapes))
    raise RuntimeError(f"{op_name}: tensors differ in shape or dtype between ranks ({listing})")


def _finish(async_op, requests, finish=None, result=None):
    work = Work(requests, finish, result)
    if async_op:
        return work
    work.wait()
    return None


def _check_list(op_name, tensors, like, pg, list_name):
    if len(tensors) != pg.size():
        raise ValueError(f"{op_name}: {list_name} must hold one tensor per rank ({pg.size()}), got {len(tensors)}")
    arrays = [_mpi.buffer(t, list_name) for t in tensors]
    for a in arrays:
        if a.shape != like.shape or a.dtype != like.dtype:
            raise ValueError(f"{op_name}: every tensor in {list_name} must be {_describe(like)}, got {_describe(a)}")
    return arrays


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across all ranks in place: afterwards every rank holds the result."""
    pg = resolve(group)
    if pg is None:
        return None
    data = _mpi.buffer(tensor)
    MPI = _mpi.mpi()
    mop = mpi_op(op, MPI, data.dtype)
    check_same_tensors(pg, "all_reduce", data)
    req = pg._comm.Iallreduce(MPI.IN_PLACE, data, mop)

    def finish():
        if op is ReduceOp.AVG:
            np.divide(data, pg.size(), out=data)
        _mpi.bump_version(tensor)
    return _finish(async_op, [req], finish, [tensor])


def broadcast(tensor, src, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` (a global rank) into ``tensor`` on every other rank."""
    pg = resolve(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else group_rank_of(pg, src, "src")
    data = _mpi.buffer(tensor)
    check_same_tensors(pg, "broadcast", data)
    req = pg._comm.Ibcast(data, root=root)
    return _finish(async_op, [req], lambda: _mpi.bump_version(tensor), [tensor])


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank i's ``tensor``, on every rank."""
    pg = resolve(group)
    if pg is None:
        return None
    data = _mpi.buffer(tensor)
    outs = _check_list("all_gather", tensor_list, data, pg, "tensor_list")
    check_same_tensors(pg, "all_gather", data)
    gathered = np.empty((pg.size(),) + data.shape, dtype=data.dtype)
    req = pg._comm.Iallgather(data, gathered)

    def finish():
        for out, t, part in zip(outs, tensor_list, gathered):
            out[...] = part
            _mpi.bump_version(t)
    return _finish(async_op, [req], finish, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Concatenate every rank's ``input_tensor`` into ``output_tensor`` (world_size times its elements)."""
    pg = resolve(group)
    if pg is None:
        return None
    data = _mpi.buffer(input_tensor, "input_tensor")
    out = _mpi.buffer(output_tensor, "output_tensor")
    if out.size != data.size * pg.size() or out.dtype != data.dtype:
        raise ValueError(f"all_gather_into_tensor: output_tensor must have {pg.size()} x {data.size} elements of "
                         f"{data.dtype} (world size x input), got {_describe(out)}")
    check_same_tensors(pg, "all_gather_into_tensor", data)
    req = pg._comm.Iallgather(data, out)
    return _finish(async_op, [req], lambda: _mpi.bump_version(output_tensor), [output_tensor])


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across ranks into ``tensor`` on rank ``dst`` only (the others' are left unchanged)."""
    pg = resolve(group)
    if pg is None:
        return None
    root = group_dst if group_dst is not None else group_rank_of(pg, dst, "dst")
    data = _mpi.buffer(tensor)
    MPI = _mpi.mpi()
    mop = mpi_op(op, MPI, data.dtype)
    check_same_tensors(pg, "reduce", data)
    is_root = pg.rank() == root
    if is_root:
        req = pg._comm.Ireduce(MPI.IN_PLACE, data, mop, root=root)
    else:
        req = pg._comm.Ireduce(data, None, mop, root=root)

    def finish():
        if is_root:
            if op is ReduceOp.AVG:
                np.divide(data, pg.size(), out=data)
            _mpi.bump_version(tensor)
    return _finish(async_op, [req], finish, [tensor])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks into ``output`` on rank i."""
    pg = resolve(group)
    if pg is None:
        return None
    out = _mpi.buffer(output, "output")
    ins = _check_list("reduce_scatter", input_list, out, pg, "input_list")
    send = np.stack(ins) if ins else np.empty((0,) + out.shape, out.dtype)
    return _reduce_scatter_block(pg, "reduce_scatter", send, output, op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (world_size chunks along dim 0) across ranks; rank i gets chunk i in ``output``."""
    pg = resolve(group)
    if pg is None:
        return None
    out = _mpi.buffer(output, "output")
    data = _mpi.buffer(input, "input")
    if data.size != out.size * pg.size() or data.dtype != out.dtype:
        raise ValueError(f"reduce_scatter_tensor: input must have {pg.size()} x {out.size} elements of {out.dtype} "
                         f"(world size x output), got {_describe(data)}")
    return _reduce_scatter_block(pg, "reduce_scatter_tensor", data, output, op, async_op)


def _reduce_scatter_block(pg, op_name, send, output, op, async_op):
    out = output._data
    MPI = _mpi.mpi()
    mop = mpi_op(op, MPI, out.dtype)
    check_same_tensors(pg, op_name, send)
    req = pg._comm.Ireduce_scatter_block(send, out, mop)

    def finish():
        if op is ReduceOp.AVG:
            np.divide(out, pg.size(), out=out)
        _mpi.bump_version(output)
    return _finish(async_op, [req], finish, [output])


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False, group_src=None):
    """Rank ``src`` sends ``scatter_list[i]`` to rank i, which receives it into ``tensor``."""
    pg = resolve(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else group_rank_of(pg, src, "src")
    data = _mpi.buffer(tensor)
    if pg.rank() == root:
        if scatter_list is None:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        send = np.stack(_check_list("scatter", scatter_list, data, pg, "scatter_list"))
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        send = None
    check_same_tensors(pg, "scatter", data)
    req = pg._comm.Iscatter(send, data, root=root)
    return _finish(async_op, [req], lambda: _mpi.bump_version(tensor), [tensor])


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False, group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` into ``gather_list[i]``."""
    pg = resolve(group)
    if pg is None:
        return None
    root = group_dst if group_dst is not None else group_rank_of(pg, dst, "dst")
    data = _mpi.buffer(tensor)
    is_root = pg.rank() == root
    if is_root:
        if gather_list is None:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        outs = _check_list("gather", gather_list, data, pg, "gather_list")
        recv = np.empty((pg.size(),) + data.shape, dtype=data.dtype)
    else:
        if gather_list:
            raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
        recv = None
    check_same_tensors(pg, "gather", data)
    req = pg._comm.Igather(data, recv, root=root)

    def finish():
        if is_root:
            for out, t, part in zip(outs, gather_list, recv):
                out[...] = part
                _mpi.bump_version(t)
    return _finish(async_op, [req], finish, gather_list)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[i]`` to rank i; receive rank i's tensor for this rank in ``output_tensor_list[i]``."""
    pg = resolve(group)
    if pg is None:
        return None
    n = pg.size()
    if len(output_tensor_list) != n or len(input_tensor_list) != n:
        raise ValueError(f"all_to_all: both lists must hold one tensor per rank ({n}), got "
                         f"{len(output_tensor_list)} and {len(input_tensor_list)}")
    comm = pg._comm
    requests = []
    for i in range(n):
        out = _mpi.buffer(output_tensor_list[i], "output_tensor_list")
        requests.append(comm.Irecv(out, source=i, tag=_ALL_TO_ALL_TAG))
    for i in range(n):
        requests.append(comm.Isend(_mpi.buffer(input_tensor_list[i], "input_tensor_list"), dest=i,
                                   tag=_ALL_TO_ALL_TAG))
    return _finish(async_op, requests, lambda: _mpi.bump_version(*output_tensor_list), output_tensor_list)


# Point-to-point messages of all_to_all use a tag of their own, so they never match a user's send/recv.
_ALL_TO_ALL_TAG = 32766


def send(tensor, dst, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (blocks until it may be reused)."""
    isend(tensor, dst, group, tag, group_dst).wait()


def isend(tensor, dst, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a Work."""
    pg = resolve(group)
    if pg is None:
        return None
    peer = group_dst if group_dst is not None else group_rank_of(pg, dst, "dst")
    return Work([pg._comm.Isend(_mpi.buffer(tensor), dest=peer, tag=tag)])


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (None: any rank); returns the sender's rank."""
    pg = resolve(group)
    if pg is None:
        return -1
    data = _mpi.buffer(tensor)
    MPI = _mpi.mpi()
    if group_src is not None:
        peer = group_src
    else:
        peer = MPI.ANY_SOURCE if src is None else group_rank_of(pg, src, "src")
    status = MPI.Status()
    pg._comm.Probe(source=peer, tag=tag, status=status)
    sent = status.Get_count(MPI.BYTE)
    if sent != data.nbytes:
        raise RuntimeError(f"recv: rank {pg._ranks[status.Get_source()]} sent {sent} bytes, but the receiving "
                           f"tensor {_describe(data)} holds {data.nbytes} bytes")
    pg._comm.Recv(data, source=status.Get_source(), tag=tag)
    _mpi.bump_version(tensor)
    return pg._ranks[status.Get_source()] if group_src is None else status.Get_source()


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (None: any rank); returns a Work."""
    pg = resolve(group)
    if pg is None:
        return None
    MPI = _mpi.mpi()
    if group_src is not None:
        peer = group_src
    else:
        peer = MPI.ANY_SOURCE if src is None else group_rank_of(pg, src, "src")
    req = pg._comm.Irecv(_mpi.buffer(tensor), source=peer, tag=tag)
    return Work([req], lambda: _mpi.bump_version(tensor), [tensor])
