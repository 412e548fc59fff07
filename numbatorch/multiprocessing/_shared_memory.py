"""Tensor memory that other processes can map: named POSIX shared-memory segments (``/dev/shm`` on Linux).

``share_memory_()`` copies a tensor's array into a fresh segment and keeps using it from there; pickling such
a tensor for another process (see ``reductions``) sends the segment's name and the array's layout, and the
receiver maps the same pages, so writes on either side are seen by both. Forked children inherit mappings.

A segment's name must live until every process it was sent to has mapped it, even if the sender is gone by
then (a worker that puts a result on a queue and exits). So each segment starts with a reference count, changed
under a POSIX record lock: one for each process mapping it and one for each pickle of it not yet received. A
process drops its reference when its mapping is collected or it exits; the last one removes the name.
Pickles that are never received leave their segment to multiprocessing's resource tracker, which removes it
when the program ends.

At exit a process releases its mappings only after its queues' feeder threads have been joined: a feeder may
still be pickling a tensor (adding the pickle's reference) while the process shuts down, and releasing first
would remove a name a pickle is about to carry.
"""
import fcntl
import mmap
import os
import secrets
import struct
import sys
import threading
import weakref
from multiprocessing import resource_tracker, util

import numpy as np

try:
    import _posixshmem
except ImportError:  # Windows: no POSIX shared memory
    _posixshmem = None

__all__ = ["HEADER_BYTES", "add_reference", "attach", "is_shared_array", "segment_of", "share_array"]

HEADER_BYTES = 64  # the reference count, padded so the data that follows is aligned for every dtype
_COUNT = struct.Struct("<q")

# Segments this process has mapped, by name, so that a tensor received twice maps its segment once.
_mappings = weakref.WeakValueDictionary()
# Record locks exclude other processes, this excludes this process's threads. Reentrant: a mapping collected by
# the cycle collector while this thread holds the lock releases its reference from inside the locked region.
_lock = threading.RLock()
# After multiprocessing's queue finalizers, which join the feeder threads at exit priority -5.
_EXIT_PRIORITY = -10


class _SharedMapping(mmap.mmap):
    """A mapping of one named shared-memory segment (``name``, data ``nbytes``, ``address`` of its first byte)."""


def _require_posix():
    if _posixshmem is None:
        raise RuntimeError("sharing tensor memory between processes needs POSIX shared memory, "
                           "which this platform does not have")


def _change_count(name, delta):
    """Add ``delta`` to the reference count of segment ``name``; when it drops to 0, remove the name.

    Opens the segment by name each time rather than keeping a descriptor per tensor (a process holding many
    shared tensors would run out of descriptors). The name exists exactly while the count is positive, and
    only a holder of a reference changes the count, so the name is there whenever this runs."""
    with _lock:
        fd = _posixshmem.shm_open(name, os.O_RDWR, mode=0o600)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX, _COUNT.size, 0)
            count = _COUNT.unpack(os.pread(fd, _COUNT.size, 0))[0] + delta
            os.pwrite(fd, _COUNT.pack(count), 0)
            if count == 0:
                _posixshmem.shm_unlink(name)
                resource_tracker.unregister(name, "shared_memory")
        finally:
            os.close(fd)  # also releases the record lock
    return count


def _map(name, nbytes, create):
    _require_posix()
    flags = os.O_CREAT | os.O_EXCL | os.O_RDWR if create else os.O_RDWR
    fd = _posixshmem.shm_open(name, flags, mode=0o600)
    try:
        if create:
            os.ftruncate(fd, HEADER_BYTES + nbytes)
        mapping = _SharedMapping(fd, HEADER_BYTES + nbytes)
    finally:
        os.close(fd)  # the mapping stays valid without it
    mapping.name = name
    mapping.nbytes = nbytes
    mapping.address = np.ndarray((1,), np.uint8, buffer=mapping).__array_interface__["data"][0]
    mapping.owner_pid = os.getpid()
    _register_release(mapping)
    util.register_after_fork(mapping, _register_release)
    _mappings[name] = mapping
    return mapping


def _register_release(mapping):
    """Release the mapping's reference when it is collected (``_release_at_exit`` does it at exit).

    A new process's bootstrap drops the finalizers registered before it, such as those of tensors unpickled as
    its arguments: it calls this again after."""
    if mapping.owner_pid != os.getpid():
        return  # a forked child inherits the mapping but not its reference
    finalizer = getattr(mapping, "finalizer", None)
    if finalizer is None or not finalizer.still_active():
        mapping.finalizer = util.Finalize(mapping, _change_count, args=(mapping.name, -1))


def _release_at_exit(_module=None):
    """Release every reference this process still holds, including mappings made while it was shutting down."""
    for mapping in list(_mappings.values()):
        finalizer = getattr(mapping, "finalizer", None)
        if mapping.owner_pid == os.getpid() and finalizer is not None:
            finalizer()  # runs once: a later collection of the mapping does nothing


def _register_exit_release(_module=None):
    """multiprocessing's exit finalizers run in every kind of process (also forked children, which end with
    os._exit); a process's bootstrap clears those registered before it, hence the after-fork registration."""
    util.Finalize(None, _release_at_exit, exitpriority=_EXIT_PRIORITY)


_register_exit_release()
util.register_after_fork(sys.modules[__name__], _register_exit_release)


def share_array(array):
    """A C-contiguous copy of ``array`` in a new shared-memory segment."""
    name = f"/numbatorch_{os.getpid()}_{secrets.token_hex(8)}"
    resource_tracker.register(name, "shared_memory")
    mapping = _map(name, array.nbytes, create=True)
    _change_count(name, 1)
    shared = np.ndarray(array.shape, array.dtype, buffer=mapping, offset=HEADER_BYTES)
    shared[...] = array
    return shared


def add_reference(mapping):
    """Count one more reference to ``mapping``'s segment: a pickle of it about to be sent."""
    _change_count(mapping.name, 1)


def attach(name, nbytes):
    """The mapping of segment ``name`` in this process, consuming the reference its pickle carried."""
    mapping = _mappings.get(name)
    if mapping is None:
        return _map(name, nbytes, create=False)  # the pickle's reference becomes this process's
    _change_count(name, -1)
    return mapping


def segment_of(array):
    """The ``_SharedMapping`` that ``array``'s memory lies in, or None."""
    owner = array
    while isinstance(owner, np.ndarray):
        owner = owner.base
    return owner if isinstance(owner, _SharedMapping) else None


def is_shared_array(array):
    """Whether ``array``'s memory lies in a shared-memory segment."""
    return segment_of(array) is not None
