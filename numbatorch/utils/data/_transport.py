"""Moving batches from a worker process to the main process, one pipe per worker.

A batch is pickled with protocol 5 so that large numpy buffers (tensor storages)
travel out of band: the worker writes them to the pipe straight from its arrays and
the main process reads them straight into fresh arrays.  A ``multiprocessing.Queue``
pickles twice and copies each batch several times on each side, which costs as much
CPU as decoding a few images per batch.

Workers pickle each batch themselves so that an unpicklable batch becomes an error
the main process sees, rather than a message silently lost and a main process
waiting forever.  On POSIX the worker writes a batch itself while the (enlarged)
pipe has room; what does not fit is finished by a sender thread, so the worker keeps
preparing batches while the main process is busy (prefetching).  Elsewhere the
sender thread writes everything through the ``Connection`` API.
"""
import io
import os
import pickle
import queue
import select
import struct
import threading

import numpy as np

import numbatorch

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = ["ResultSender", "ResultReceiver", "dumps", "loads"]

# Buffers at least this large travel out of band; smaller ones stay in the pickle.
_OUT_OF_BAND_MIN_BYTES = 16 * 1024
# A pipe that holds a whole batch lets the worker write it in one go instead of
# waking the main process once per 64 KiB (Linux only, best effort).
_PIPE_BYTES = 1 << 20
# Message prefix: length of the pickle, number of out-of-band buffers.
_PREFIX = struct.Struct("<QQ")
# Raw file-descriptor I/O (no copies, non-blocking writes) where pipes are plain fds.
RAW_FDS = os.name == "posix"


def _rebuild_tensor(array, requires_grad):
    tensor = numbatorch.from_numpy(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


class _BatchPickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, numbatorch.Tensor):
            try:
                array = obj.detach().numpy()
            except (TypeError, RuntimeError, AttributeError):
                return NotImplemented  # let the Tensor pickle itself
            return _rebuild_tensor, (array, bool(getattr(obj, "requires_grad", False)))
        return NotImplemented


def dumps(obj):
    """``(pickle bytes, [large raw buffers])`` for ``obj``; the buffers are views, not copies."""
    buffers = []

    def out_of_band(buffer):
        view = buffer.raw()
        if view.nbytes < _OUT_OF_BAND_MIN_BYTES:
            return True  # in band
        buffers.append(view)
        return False

    stream = io.BytesIO()
    _BatchPickler(stream, protocol=5, buffer_callback=out_of_band).dump(obj)
    data = stream.getvalue()
    return data, buffers


def loads(data, buffers=()):
    return pickle.loads(data, buffers=buffers)


def _enlarge_pipe(fd):
    if fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass  # above the system's pipe-max-size: keep the default


def _message_pieces(message):
    """What goes down the pipe: prefix, buffer lengths and pickle in one piece, then the buffers."""
    data, buffers = message
    meta = (_PREFIX.pack(len(data), len(buffers))
            + struct.pack(f"<{len(buffers)}Q", *(b.nbytes for b in buffers)) + data)
    return [memoryview(meta)] + buffers


def _write_some(fd, pieces):
    """Write ``pieces`` until done or the (non-blocking) pipe is full; returns what is left."""
    while pieces:
        try:
            written = os.write(fd, pieces[0])
        except BlockingIOError:
            break
        if written < pieces[0].nbytes:
            pieces[0] = pieces[0][written:]
        else:
            pieces.pop(0)
    return pieces


def _read_into(fd, buffer):
    view = memoryview(buffer).cast("B")
    while view:
        count = os.readv(fd, [view])
        if count == 0:
            raise EOFError("DataLoader worker pipe closed")
        view = view[count:]


def _read_exact(fd, size):
    data = bytearray(size)
    _read_into(fd, data)
    return data


class ResultSender:
    """Worker side: pickles ``(idx, data)`` at once and sends it without waiting for the reader."""

    def __init__(self, connection, raw_fds=None):
        self._connection = connection  # keeps the file descriptor open
        self._raw = RAW_FDS if raw_fds is None else raw_fds
        if self._raw:
            self._fd = connection.fileno()
            os.set_blocking(self._fd, False)  # only this worker holds the write end
        self._lock = threading.Lock()
        self._backlog = 0  # messages handed to the thread and not yet fully written
        self._broken = False
        self._pending = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write_loop, name="DataLoaderResultSender",
                                        daemon=True)
        self._thread.start()

    def send(self, idx, data, on_error):
        """Send ``(idx, data)``; when it cannot be pickled, send ``(idx, on_error())`` instead."""
        try:
            message = dumps((idx, data))
        except Exception:
            message = dumps((idx, on_error()))
        pieces = _message_pieces(message)
        with self._lock:
            if self._broken:
                return
            if self._raw and self._backlog == 0:
                try:
                    pieces = _write_some(self._fd, pieces)
                except OSError:
                    self._broken = True  # the main process closed its end: nobody listens
                    return
                if not pieces:
                    return
            self._backlog += 1
        self._pending.put(pieces)

    def _write_loop(self):
        if self._raw:
            poller = select.poll()
            poller.register(self._fd, select.POLLOUT)
        while True:
            pieces = self._pending.get()
            if pieces is None:
                return
            try:
                if self._raw:
                    while _write_some(self._fd, pieces):
                        poller.poll()
                else:
                    for piece in pieces:
                        self._connection.send_bytes(piece)
            except OSError:
                with self._lock:
                    self._broken = True
                return
            del pieces  # don't keep a batch alive while waiting
            with self._lock:
                self._backlog -= 1

    def close(self):
        """Stop the sender thread; what it has not written yet is dropped."""
        self._pending.put(None)


class ResultReceiver:
    """Main-process side of one worker's pipe."""

    def __init__(self, connection, raw_fds=None):
        self.connection = connection
        self._raw = RAW_FDS if raw_fds is None else raw_fds
        if self._raw:
            _enlarge_pipe(connection.fileno())

    def recv(self):
        """The next ``(idx, data)``; raises ``EOFError`` when the worker closed the pipe."""
        if self._raw:
            fd = self.connection.fileno()
            data_size, count = _PREFIX.unpack(_read_exact(fd, _PREFIX.size))
            meta = memoryview(_read_exact(fd, 8 * count + data_size))
        else:
            message = self.connection.recv_bytes()
            data_size, count = _PREFIX.unpack_from(message)
            meta = memoryview(message)[_PREFIX.size:]
        lengths = struct.unpack_from(f"<{count}Q", meta)
        buffers = []
        for length in lengths:
            buffer = np.empty(length, dtype=np.uint8)  # becomes the tensor's storage
            if self._raw:
                _read_into(fd, buffer)
            else:
                self.connection.recv_bytes_into(buffer)
            buffers.append(buffer)
        return loads(meta[8 * count:], buffers)

    def close(self):
        self.connection.close()
