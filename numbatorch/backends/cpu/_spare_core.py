"""Whether no other process is using the machine's cores now, judged from ``/proc/stat`` every tenth of a second.

The BLAS thread policy (``blas.py``) threads mid-sized products only then. On 2 cores, a second OpenBLAS thread
halves a 256 x 256 x 256 product when the other core is idle, but when another process holds that core the thread
waits for it for whole scheduler ticks: the product then takes 8-18 ms instead of 0.2 ms.

Other processes' use is the machine's busy CPU time less this process's own (``os.times``, all its threads, so
BLAS's and Numba's spinning workers do not count as a neighbour), averaged since the last sample. After a pause
in the calls (``IDLE_SECONDS``) that average would mostly cover what others did while this process did something
else or waited: ``run.py --separate``'s PyTorch worker runs exactly while the numbatorch worker waits, and a
0.25 s window counting its batches kept every product of the next batch on one thread. So a pause starts a new
window and the answer stays the last window's (a window that ended in a pause would misjudge), for at most
``ANSWER_SECONDS``: calls in bursts shorter than a window measure nothing, and then run as beside a neighbour. Where
``/proc/stat`` is missing (not Linux) there is never a spare core, which keeps mid-sized products on one thread.
"""
import os
import time

# Seconds between samples: reading /proc/stat costs ~20 us, and its counts (1/100 s per core, and this process's
# own) over this long leave the average within ~0.3 of a core, under NEIGHBOUR_CORES's margin.
SAMPLE_SECONDS = 0.1
# A gap between calls longer than this starts a new window, keeping the last answer (see the module docstring).
IDLE_SECONDS = 0.05
# Seconds a window's answer is kept across pauses; after that, until a window ends, there is no spare core.
ANSWER_SECONDS = 1.0
# Other processes' average use, in cores, under which the machine counts as having a spare core.
NEIGHBOUR_CORES = 0.5

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_last = None   # (monotonic time, machine busy seconds, this process's CPU seconds) at the last sample
_last_call = None  # monotonic time of the last call
_answered = None   # monotonic time of the last window's end
_spare = False


def _machine_busy_seconds():
    """CPU seconds all processes have spent since boot (every state but idle and iowait)."""
    with open("/proc/stat", "rb") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]  # guest time is already in user time
    return (sum(ticks) - ticks[3] - ticks[4]) / _CLOCK_TICKS


def spare_core():
    """Whether other processes used under ``NEIGHBOUR_CORES`` cores on average over the last window of calls
    without a pause (False before one has been measured, or ``ANSWER_SECONDS`` after)."""
    global _last, _last_call, _answered, _spare
    now = time.monotonic()
    paused = _last_call is not None and now - _last_call > IDLE_SECONDS
    _last_call = now
    if _last is not None and not paused and now - _last[0] < SAMPLE_SECONDS:
        return _spare
    try:
        busy = _machine_busy_seconds()
    except (OSError, ValueError, IndexError):
        return False
    times = os.times()
    own = times.user + times.system
    if _last is not None and not paused:
        neighbours = (busy - _last[1]) - (own - _last[2])
        _spare, _answered = neighbours < NEIGHBOUR_CORES * (now - _last[0]), now
    elif _answered is None or now - _answered > ANSWER_SECONDS:
        _spare = False
    _last = (now, busy, own)
    return _spare
