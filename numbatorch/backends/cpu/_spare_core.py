"""Whether no other process is using the machine's cores now, judged from ``/proc/stat`` every few tenths of a second.

The BLAS thread policy (``blas.py``) threads mid-sized products only then, and the convolution's worker threads
(``_conv_threads.py``) run on the cores left free (``usable_cores``). On 2 cores, a second OpenBLAS thread
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
# Free cores under which the machine counts as oversubscribed by other processes. cifar2's training step on 2
# cores: with 0.8-1 core free one thread was as fast as two or up to 1.7x faster; with 0.35-0.55 free two
# threads were 1.07-1.47x faster than one (each thread gets a share of the cores); about even around 0.7.
OVERSUBSCRIBED_FREE = 0.6

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_last = None   # (monotonic time, machine busy seconds, this process's CPU seconds) at the last sample
_neighbours = None   # other processes' average use in cores over the last sampled interval; None: not known yet


def _machine_busy_seconds():
    """CPU seconds all processes have spent since boot (every state but idle and iowait)."""
    with open("/proc/stat", "rb") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]  # guest time is already in user time
    return (sum(ticks) - ticks[3] - ticks[4]) / _CLOCK_TICKS


def _sample():
    """Other processes' average use in cores since the last sample (re-sampled every ``SAMPLE_SECONDS``);
    None until two samples were taken or where ``/proc/stat`` cannot be read."""
    global _last, _neighbours
    now = time.monotonic()
    if _last is not None and now - _last[0] < SAMPLE_SECONDS:
        return _neighbours
    try:
        busy = _machine_busy_seconds()
    except (OSError, ValueError, IndexError):
        return None
    times = os.times()
    own = times.user + times.system
    _neighbours = None if _last is None else ((busy - _last[1]) - (own - _last[2])) / (now - _last[0])
    _last = (now, busy, own)
    return _neighbours


def spare_core():
    """Whether other processes used under ``NEIGHBOUR_CORES`` cores on average since the last sample."""
    neighbours = _sample()
    return neighbours is not None and neighbours < NEIGHBOUR_CORES


def usable_cores():
    """Cores worth running this process's threads on now: those other processes left free on average since the
    last sample, rounded (at least 1); every core while that is not known, and also when the others leave under
    ``OVERSUBSCRIBED_FREE`` of a core: the process's share of an oversubscribed machine grows with its threads."""
    cores = os.cpu_count() or 1
    neighbours = _sample()
    if neighbours is None or cores - neighbours < OVERSUBSCRIBED_FREE:
        return cores
    return max(1, min(cores, round(cores - neighbours)))
