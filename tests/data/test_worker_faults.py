"""Worker faults: exceptions, killed workers, timeouts, and shutdown (no process left behind)."""
import gc
import os
import signal
import sys
import time

import pytest

from numbatorch.utils.data import DataLoader, Dataset, get_worker_info

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")


class _Faulty(Dataset):
    """Sample ``bad`` misbehaves in a worker: raises, gets SIGKILLed, or sleeps."""

    def __init__(self, mode, bad=5, n=12):
        self.mode, self.bad, self.n = mode, bad, n

    def __getitem__(self, i):
        if i == self.bad and get_worker_info() is not None:
            if self.mode == "raise":
                raise ValueError(f"cannot decode sample {i}")
            if self.mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.mode == "sleep":
                time.sleep(3)
        return i

    def __len__(self):
        return self.n


def test_worker_exception_is_reraised_with_worker_id_and_traceback():
    # Sample 5 is in batch 2 (batch_size 2), which worker 0 of 2 loads.
    dl = DataLoader(_Faulty("raise"), batch_size=2, num_workers=2, timeout=30)
    with pytest.raises(ValueError) as info:
        list(dl)
    message = str(info.value)
    assert "DataLoader worker process 0" in message
    assert "cannot decode sample 5" in message
    assert "Traceback" in message and "__getitem__" in message


def test_killed_worker_raises_runtime_error_naming_it():
    dl = DataLoader(_Faulty("kill"), batch_size=2, num_workers=2, timeout=30)
    # The message (not "timed out") shows the death was detected rather than waited out by the timeout.
    with pytest.raises(RuntimeError, match=r"DataLoader worker 0 \(pid\(s\) \d+\) exited unexpectedly.*SIGKILL"):
        list(dl)


def test_timeout_raises():
    dl = DataLoader(_Faulty("sleep", bad=0), batch_size=2, num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        next(iter(dl))


def _alive(processes):
    return [p for p in processes if p.is_alive()]


def test_workers_shut_down_when_exhausted():
    it = iter(DataLoader(_Faulty("none"), batch_size=2, num_workers=2))
    workers = list(it._workers)
    assert len(_alive(workers)) == 2
    list(it)
    assert _alive(workers) == [] and all(w.exitcode is not None for w in workers)


def test_workers_shut_down_when_the_iterator_is_dropped():
    it = iter(DataLoader(_Faulty("none"), batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    del it
    gc.collect()
    deadline = time.monotonic() + 10
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(workers) == []
