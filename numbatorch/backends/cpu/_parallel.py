"""When a kernel runs on the thread pool, and how its serial and parallel builds are made from one body.

A ``parallel=True`` launch costs microseconds (thread wake-up; milliseconds on an oversubscribed machine), so
below a measured amount of work the serial build is faster. Every kernel family counts its work in the unit
named by its threshold and calls ``choose``.
"""
import threading
from collections import namedtuple

from numba import njit, prange

from ..._threading_layer import _threads_launched, chosen_layer

# Elements (or attention scores) from which a parallel launch pays off: elementwise, conv, pool, norm,
# resampling and softmax kernels.
MIN_ELEMENTS = 1 << 15
# Row scans (cummax/cummin) do little work per element: parallel from twice as many.
MIN_SCAN_ELEMENTS = 1 << 16
# Recurrent layers launch once per time step: parallel from this many state entries (batch * hidden).
MIN_RNN_STATE = 1 << 14

Twin = namedtuple("Twin", ["serial", "parallel"])


def twin_kernels(make):
    """``Twin(serial, parallel)`` Numba builds of ``make(loop)``: a kernel whose independent outer loop is ``loop``.

    ``make`` runs twice, with ``range`` and with ``prange``, giving two Python functions: Numba's on-disk cache
    cannot tell a parallel build from a serial one of the same function, but it keys closures by their
    captured values. The serial build releases the GIL, so Python threads may run it side by side.
    """
    return Twin(njit(cache=True, nogil=True, error_model="numpy")(make(range)),
                njit(parallel=True, cache=True, error_model="numpy")(make(prange)))


# Layers numba only satisfies with a thread pool that several Python threads may enter at once; any other request
# ("workqueue", or "default"/"forksafe" which may end up on workqueue) is unsafe until numba names what it started.
_THREAD_SAFE_REQUESTS = ("tbb", "omp", "safe", "threadsafe")
_THREAD_SAFE_LAYERS = ("tbb", "omp")
_layer_thread_safe = None  # the cached answer, once known
_pool_lock = threading.Lock()  # held by the one thread running a parallel build on an unsafe layer
_guarded = {}  # twin -> its runner taking the lock


def _thread_safe_layer():
    """Whether Python threads may launch parallel kernels concurrently; decided once, then cached."""
    global _layer_thread_safe
    if _layer_thread_safe is None:
        if chosen_layer() in _THREAD_SAFE_REQUESTS:
            _layer_thread_safe = True
        else:
            launched = _threads_launched()
            if launched is None:
                return False  # numba has not started its pool yet: guard this launch, look again after it
            _layer_thread_safe = launched in _THREAD_SAFE_LAYERS
    return _layer_thread_safe


def _guarded_runner(twin):
    """``twin``'s parallel build for the thread that holds the pool, its serial build for the others."""
    def run(*args, **kwargs):
        if _pool_lock.acquire(blocking=False):
            try:
                return twin.parallel(*args, **kwargs)
            finally:
                _pool_lock.release()
        return twin.serial(*args, **kwargs)
    return run


def choose(twin, work, minimum=None):
    """The build of ``twin`` to run for ``work`` units: parallel from ``minimum`` (default ``MIN_ELEMENTS``) on.

    numba's ``workqueue`` layer (used where TBB is missing) aborts the process when two threads enter it at once,
    so there a parallel pick is a runner letting one thread at a time take the parallel build, the rest the serial.
    """
    if work < (MIN_ELEMENTS if minimum is None else minimum):
        return twin.serial
    if _thread_safe_layer():
        return twin.parallel
    runner = _guarded.get(twin)
    if runner is None:
        runner = _guarded.setdefault(twin, _guarded_runner(twin))
    return runner
