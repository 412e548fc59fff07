"""When a kernel runs on the thread pool, and how its serial and parallel builds are made from one body.

A ``parallel=True`` launch costs microseconds (thread wake-up; milliseconds on an oversubscribed machine), so
below a measured amount of work the serial build is faster. Every kernel family counts its work in the unit
named by its threshold and calls ``choose``.

A ``parallel=True`` build also takes several times longer to compile than the serial one (1-2 s each, on a
loaded 2-core machine), which dominated a fresh install's first training step. So a twin's parallel build is
only compiled once its serial build has run ``PARALLEL_AFTER_SECONDS`` on parallel-sized work, or at once when
Numba's disk cache already holds it (``python -m numbatorch warmup`` puts it there). Both builds run one body
over independent outer iterations, so which one ran never changes a result.
"""
import threading
import time
from collections import namedtuple

from numba import njit, prange

from ..._threading_layer import _threads_launched, chosen_layer
from ._spin_pool import nap
from ._tiered import Tiered, load_cached

# Elements (or attention scores) from which a parallel launch pays off: elementwise, conv, pool, norm,
# resampling and softmax kernels.
MIN_ELEMENTS = 1 << 15
# Row scans (cummax/cummin) do little work per element: parallel from twice as many.
MIN_SCAN_ELEMENTS = 1 << 16
# Recurrent layers launch once per time step: parallel from this many state entries (batch * hidden).
MIN_RNN_STATE = 1 << 14
# Seconds of serial runs on parallel-sized work after which a twin's parallel build is compiled: about the
# compile's own cost, so a short run (a tutorial's --quick, a first step) never pays it and a long one soon does.
PARALLEL_AFTER_SECONDS = 1.0

Twin = namedtuple("Twin", ["serial", "parallel"])
# ``twin_kernels``' fastmath for compute-bound loops: multiply-adds fused (FMA, one rounding instead of two) in
# the exp/log1p/erf polynomials, a fifth fewer instructions; NaN, infinities and signed zeros keep their meaning.
CONTRACT = {"contract"}


def twin_kernels(make, stand_in=None, fastmath=False):
    """``Twin(serial, parallel)`` Numba builds of ``make(loop)``: a kernel whose independent outer loop is ``loop``.

    ``make`` runs twice, with ``range`` and with ``prange``, giving two Python functions: Numba's on-disk cache
    cannot tell a parallel build from a serial one of the same function, but it keys closures by their
    captured values. The serial build releases the GIL, so Python threads may run it side by side. ``prange``
    hands out unsigned indices: a body passes ``np.int64(i)`` to its per-item ``@njit`` helper, so both builds
    call one compiled helper instead of an int64 and a uint64 specialisation. With a numpy ``stand_in`` (same
    arguments, same results) the serial build is ``Tiered``: the stand-in runs while that build is not cached.
    ``fastmath`` is Numba's, for both builds.
    """
    serial = njit(cache=True, nogil=True, error_model="numpy", fastmath=fastmath)(make(range))
    return Twin(serial if stand_in is None else Tiered(serial, stand_in),
                njit(parallel=True, cache=True, error_model="numpy", fastmath=fastmath)(make(prange)))


# Layers numba only satisfies with a thread pool that several Python threads may enter at once; any other request
# ("workqueue", or "default"/"forksafe" which may end up on workqueue) is unsafe until numba names what it started.
_THREAD_SAFE_REQUESTS = ("tbb", "omp", "safe", "threadsafe")
_THREAD_SAFE_LAYERS = ("tbb", "omp")
_layer_thread_safe = None  # the cached answer, once known
_pool_lock = threading.Lock()  # held by the one thread running a parallel build on an unsafe layer
_guarded = {}  # twin -> its runner taking the lock
_promoted = set()  # twins whose parallel build is used
_deferred = {}  # twin -> its runner while the parallel build is not yet worth compiling


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

    Until the parallel build is cached or worth compiling (see the module docstring) a parallel pick is a runner
    that runs the serial build and keeps count. numba's ``workqueue`` layer (used where TBB is missing) aborts
    the process when two threads enter it at once, so there a parallel pick is a runner letting one thread at a
    time take the parallel build, the rest the serial.
    """
    if work < (MIN_ELEMENTS if minimum is None else minimum):
        return twin.serial
    nap()  # a spinning helper would share a core with Numba's workers
    if twin not in _promoted:
        if PARALLEL_AFTER_SECONDS > 0:
            runner = _deferred.get(twin)
            if runner is None:
                runner = _deferred.setdefault(twin, _deferred_runner(twin))
            return runner
        _promoted.add(twin)
    return _parallel_pick(twin)


def _parallel_pick(twin):
    """``twin``'s parallel build, or its guarded runner where the thread pool is not thread-safe."""
    if _thread_safe_layer():
        return twin.parallel
    runner = _guarded.get(twin)
    if runner is None:
        runner = _guarded.setdefault(twin, _guarded_runner(twin))
    return runner


def _deferred_runner(twin):
    """Runs ``twin``'s serial build, timing the calls that compiled nothing, until its parallel build is
    promoted: found in the disk cache at the first call, or after ``PARALLEL_AFTER_SECONDS`` of serial runs."""
    state = {"seconds": 0.0, "probed": False}

    def run(*args):
        if twin in _promoted:
            return _parallel_pick(twin)(*args)
        if not state["probed"]:
            state["probed"] = True
            if load_cached(twin.parallel, args):
                _promoted.add(twin)
                return _parallel_pick(twin)(*args)
        before = _untimed_calls(twin.serial)
        start = time.perf_counter()
        result = twin.serial(*args)
        if _untimed_calls(twin.serial) == before:  # a call that compiled or stood in is no measure of run time
            state["seconds"] += time.perf_counter() - start
            if state["seconds"] >= PARALLEL_AFTER_SECONDS:
                _promoted.add(twin)
        return result
    return run


def _untimed_calls(serial):
    """Builds compiled plus stand-in calls of a serial build: they change when a call did not run the build."""
    return len(getattr(serial, "overloads", ())), getattr(serial, "stand_in_calls", 0)
