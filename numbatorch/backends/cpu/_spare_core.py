"""Whether no other process is using the machine's cores now, judged from ``/proc/stat`` every few tenths of a second.

The BLAS thread policy (``blas.py``) threads mid-sized products only then. On 2 cores, a second OpenBLAS thread
halves a 256 x 256 x 256 product when the other core is idle, but when another process holds that core the thread
waits for it for whole scheduler ticks: the product then takes 8-18 ms instead of 0.2 ms.

Other processes' use is the machine's busy CPU time less this process's own (``os.times``, all its threads, so
BLAS's and Numba's spinning workers do not count as a neighbour), averaged since the last sample. Where
``/proc/stat`` is missing (not Linux) there is never a spare core, which keeps mid-sized products on one thread.
"""
import os
import time

# Seconds between samples: reading /proc/stat costs ~20 us, and a scheduler tick's count (1/100 s) per core
# over this long leaves the average within a few percent of a core.
SAMPLE_SECONDS = 0.25
# Other processes' average use, in cores, under which the machine counts as having a spare core.
NEIGHBOUR_CORES = 0.5

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_last = None   # (monotonic time, machine busy seconds, this process's CPU seconds) at the last sample
_spare = False


def _machine_busy_seconds():
    """CPU seconds all processes have spent since boot (every state but idle and iowait)."""
    with open("/proc/stat", "rb") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]  # guest time is already in user time
    return (sum(ticks) - ticks[3] - ticks[4]) / _CLOCK_TICKS


def spare_core():
    """Whether other processes used under ``NEIGHBOUR_CORES`` cores on average since the last sample."""
    global _last, _spare
    now = time.monotonic()
    if _last is not None and now - _last[0] < SAMPLE_SECONDS:
        return _spare
    try:
        busy = _machine_busy_seconds()
    except (OSError, ValueError, IndexError):
        return False
    times = os.times()
    own = times.user + times.system
    if _last is not None:
        neighbours = (busy - _last[1]) - (own - _last[2])
        _spare = neighbours < NEIGHBOUR_CORES * (now - _last[0])
    _last = (now, busy, own)
    return _spare
