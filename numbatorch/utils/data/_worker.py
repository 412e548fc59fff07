"""Code that runs inside DataLoader worker processes, and what they send back."""
import os
import queue
import random
import sys
import traceback

import numpy as np

import numbatorch

from . import _transport
from ._fetch import create_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

# How often (seconds) an idle worker checks that its parent is alive and not shutting down.
STATUS_CHECK_INTERVAL = 0.2

_worker_info = None


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    __initialized = False

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, value):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, value)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    """The current worker's ``WorkerInfo``, or ``None`` in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise an exception of the original type whose message holds the worker traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError would show the message through repr(): wrap it to keep newlines readable.
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # The type's constructor needs other arguments: fall back to RuntimeError.
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    """Sent by a worker whose iterable-dataset shard is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back as an acknowledgement."""


def _worker_numpy_seed(base_seed, worker_id):
    """A 128-bit numpy seed mixed from (base_seed, worker_id) so workers' streams differ."""
    return np.random.SeedSequence([worker_id, base_seed & (2**64 - 1)]).generate_state(4)


def _seed_worker(base_seed, worker_id):
    seed = base_seed + worker_id
    random.seed(seed)
    numbatorch.manual_seed(seed)
    np.random.seed(_worker_numpy_seed(base_seed, worker_id))
    return seed


def _limit_threads():
    """One numba thread per worker: the workers themselves are the parallelism."""
    numba = sys.modules.get("numba")
    if numba is not None:
        try:
            numba.set_num_threads(1)
        except Exception:  # threading layer unavailable: kernels run serially anyway
            pass


class _ParentWatchdog:
    """Tells a worker that its parent died (it was re-parented), so it can exit."""

    def __init__(self):
        self.parent_pid = os.getppid()

    def parent_alive(self):
        return os.getppid() == self.parent_pid


def worker_loop(is_iterable, dataset, index_queue, result_connection, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    """Fetch the batches whose indices arrive on ``index_queue``; send ``(idx, data)`` back
    through ``result_connection`` (this worker's own pipe)."""
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    sender = _transport.ResultSender(result_connection)

    def send_error():
        return ExceptionWrapper(where=f"{where} while sending a batch")

    try:
        _limit_threads()
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where=where)

        iteration_end = False
        watchdog = _ParentWatchdog()
        while watchdog.parent_alive():
            try:
                message = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                # The shutdown message may never come: when the iterator is garbage
                # collected in a reference cycle, its queues' feeder threads are
                # finalised first, so the done event is the reliable signal.
                if done_event.is_set():
                    break
                continue
            if isinstance(message, _ResumeIteration):
                sender.send(message, None, send_error)
                iteration_end = False
                if init_error is None:
                    fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if message is None:  # shutdown
                break
            if done_event.is_set() or iteration_end:
                continue  # nothing more to produce; wait for the shutdown message
            idx, index = message
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not is_iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            sender.send(idx, data, send_error)
            del data, idx, index, message  # don't keep a batch alive while waiting
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C and shuts the workers down
    # Whatever is still unsent, nobody will read: the main process asked us to stop.
    sender.close()
