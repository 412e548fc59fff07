"""``spawn``/``start_processes``: run ``fn(i, *args)`` in ``nprocs`` processes and surface their failures.

A child that raises sends its traceback to the parent and exits with status 1; ``ProcessContext.join`` then
stops the other children and raises ``ProcessRaisedException`` carrying that traceback (or
``ProcessExitedException`` for a child that died by a signal or a non-zero exit), as PyTorch does.
"""
import multiprocessing
import multiprocessing.connection
import signal
import sys
import traceback

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException",
           "SpawnContext", "spawn", "start_processes"]


class ProcessException(Exception):
    """A child process of ``spawn`` failed; ``error_index`` is its index, ``pid`` its process id."""

    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A child process raised; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A child process exited with a non-zero status or was killed by a signal."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent is being interrupted too and reports it
    except Exception:
        error_queue.put(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes started by ``start_processes``; ``join()`` waits for them and raises on a failure."""

    def __init__(self, processes, error_queues):
        self.processes = processes
        self.error_queues = error_queues
        self.sentinels = {process.sentinel: index for index, process in enumerate(processes)}

    def pids(self):
        """Process ids of the children."""
        return [int(process.pid) for process in self.processes]

    def join(self, timeout=None):
        """Wait up to ``timeout`` seconds; True once all ended successfully, False while some still run."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        failed = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0 and failed is None:
                failed = index
        if failed is None:
            return not self.sentinels
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        process = self.processes[failed]
        if self.error_queues[failed].empty():
            if process.exitcode < 0:
                name = signal.Signals(-process.exitcode).name
                raise ProcessExitedException(f"process {failed} terminated with signal {name}", failed,
                                             process.pid, process.exitcode, name)
            raise ProcessExitedException(f"process {failed} terminated with exit code {process.exitcode}",
                                         failed, process.pid, process.exitcode)
        original = self.error_queues[failed].get()
        raise ProcessRaisedException(f"\n\n-- Process {failed} terminated with the following error:\n{original}",
                                     failed, process.pid)


SpawnContext = ProcessContext


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes running ``fn(i, *args)`` with ``start_method``; join them unless ``join=False``."""
    context = multiprocessing.get_context(start_method)
    error_queues, processes = [], []
    for i in range(nprocs):
        error_queue = context.SimpleQueue()
        process = context.Process(target=_wrap, args=(fn, i, args, error_queue), daemon=daemon)
        process.start()
        error_queues.append(error_queue)
        processes.append(process)
    process_context = ProcessContext(processes, error_queues)
    if not join:
        return process_context
    while not process_context.join():
        pass
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """``start_processes`` with the ``spawn`` start method (PyTorch's default for ``spawn``)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
