"""When a kernel runs on the thread pool, and how its serial and parallel builds are made from one body.

A ``parallel=True`` launch costs microseconds (thread wake-up; milliseconds on an oversubscribed machine), so
below a measured amount of work the serial build is faster. Every kernel family counts its work in the unit
named by its threshold and calls ``choose``.
"""
from collections import namedtuple

from numba import njit, prange

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


def choose(twin, work, minimum=None):
    """The build of ``twin`` to run for ``work`` units: parallel from ``minimum`` (default ``MIN_ELEMENTS``) on."""
    return twin.parallel if work >= (MIN_ELEMENTS if minimum is None else minimum) else twin.serial
