"""The multi-process iterator: worker processes fetch batches, the main process keeps order.

Protocol: the main process sends ``(task_idx, indices)`` to worker ``task_idx``'s
index queue (round robin, at most ``prefetch_factor`` tasks outstanding per worker);
each worker answers ``(task_idx, batch)`` on its own result pipe (see ``_transport``);
results that arrive early wait in ``_task_info`` until their turn.  Waiting on the
pipes is done in short slices so that a dead worker is noticed within a fraction of a
second; a worker that dies also closes its pipe, which wakes the main process at once.
"""
import itertools
import signal
import warnings
from multiprocessing.connection import wait

from . import _transport
from ._single_process import _BaseDataLoaderIter
from ._worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, worker_loop

# Seconds between liveness checks of the workers while waiting for a batch.
_STATUS_CHECK_INTERVAL = 0.1
# Seconds a worker gets to exit cleanly at shutdown before it is terminated.
_SHUTDOWN_JOIN_TIMEOUT = 2.0


def _describe_exit(process):
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by signal: {name} ({signal.strsignal(-code) or name})"
    return f"exit code {code}"


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader, context):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._persistent_workers = loader.persistent_workers
        self._shutdown = False
        self._workers = []
        self._index_queues = []
        self._result_receivers = []
        self._workers_done_event = context.Event()
        try:
            for worker_id in range(self._num_workers):
                index_queue = context.Queue()
                # Unsent indices must not keep the main process from exiting.
                index_queue.cancel_join_thread()
                result_reader, result_writer = context.Pipe(duplex=False)
                self._result_receivers.append(_transport.ResultReceiver(result_reader))
                worker = context.Process(
                    target=worker_loop,
                    args=(self._is_iterable, self._dataset, index_queue, result_writer,
                          self._workers_done_event, self._auto_collation, self._collate_fn,
                          self._drop_last, self._base_seed, loader.worker_init_fn, worker_id,
                          self._num_workers),
                    daemon=True,
                )
                with warnings.catch_warnings():
                    # Python >= 3.12 warns about fork() with threads alive; numbatorch
                    # chose a fork-safe numba threading layer for exactly this case.
                    warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks.*")
                    worker.start()
                # Only the worker may hold the write end: then its death reads as end-of-file.
                result_writer.close()
                self._index_queues.append(index_queue)
                self._workers.append(worker)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # next task to send
        self._rcvd_idx = 0  # next task to return
        # task idx -> (worker_id,) while pending, (worker_id, data) once it arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: restart their fetchers and drop last epoch's leftovers.
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            pending_acks = self._num_workers
            while pending_acks > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending_acks -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker is done (iterable datasets)
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _check_workers_alive(self):
        for worker_id, worker in enumerate(self._workers):
            if self._workers_status[worker_id] and not worker.is_alive():
                self._raise_worker_died(worker_id)

    def _raise_worker_died(self, worker_id):
        worker = self._workers[worker_id]
        # Its pipe closes as it exits: give it a moment so that the exit code is known.
        worker.join(timeout=_SHUTDOWN_JOIN_TIMEOUT)
        self._shutdown_workers()
        raise RuntimeError(
            f"DataLoader worker {worker_id} (pid(s) {worker.pid}) exited unexpectedly: "
            f"{_describe_exit(worker)}"
        )

    def _get_data(self):
        """Next ``(idx, data)`` from any worker; raises on timeout or on a dead worker."""
        waited = 0.0
        while True:
            slice_s = _STATUS_CHECK_INTERVAL
            if self._timeout > 0:
                slice_s = min(slice_s, self._timeout - waited)
            # Workers whose iterable shard ended are left out: their pipes may be closed.
            connections = {self._result_receivers[worker_id].connection: worker_id
                           for worker_id in range(self._num_workers) if self._workers_status[worker_id]}
            ready = wait(list(connections), timeout=max(slice_s, 0.0))
            if not ready:
                self._check_workers_alive()
                waited += slice_s
                if self._timeout > 0 and waited >= self._timeout:
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
                continue
            # Prefer the worker owing the batch that is due next; others' results can wait.
            worker_id = connections[ready[0]]
            due = self._task_info.get(self._rcvd_idx, (None,))[0]
            if due is not None and len(ready) > 1 and self._result_receivers[due].connection in ready:
                worker_id = due
            try:
                return self._result_receivers[worker_id].recv()
            except (EOFError, OSError):
                self._raise_worker_died(worker_id)

    def _next_data(self):
        while True:
            # Skip tasks owned by workers that finished their iterable shard.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info[self._rcvd_idx]
                if len(info) == 2 or self._workers_status[info[0]]:
                    break
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:
                data = self._task_info.pop(self._rcvd_idx)[1]
                return self._process_data(data)

            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                self._mark_worker_done(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)  # early: keep until its turn
            else:
                del self._task_info[idx]
                return self._process_data(data)

    def _process_data(self, data):
        self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_done(self, worker_id):
        """A worker whose iterable shard ended gets no more tasks (persistent ones stay alive)."""
        self._workers_status[worker_id] = False
        if not self._persistent_workers:
            self._index_queues[worker_id].put(None)

    def _shutdown_workers(self):
        if getattr(self, "_shutdown", True):
            return  # already shut down, or __init__ failed before starting any worker
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id, worker in enumerate(self._workers):
                if worker.is_alive():
                    self._index_queues[worker_id].put(None)
            for worker in self._workers:
                worker.join(timeout=_SHUTDOWN_JOIN_TIMEOUT)
            for index_queue in self._index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
            for receiver in self._result_receivers:
                receiver.close()
        finally:
            for worker in self._workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join(timeout=_SHUTDOWN_JOIN_TIMEOUT)

    def __del__(self):
        self._shutdown_workers()
