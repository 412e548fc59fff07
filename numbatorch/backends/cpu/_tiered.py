"""Kernels that run a numpy stand-in while their Numba build is neither compiled nor in the disk cache.

Compiling a kernel costs 0.2-1 s of CPU: on an empty kernel cache four kernels took 1.6 s of the first cifar2
training step's 2 s. A numpy stand-in doing the kernel's work costs milliseconds more per call. So a tiered
kernel runs its stand-in until the stand-in's calls have taken ``STAND_IN_SECONDS`` of CPU time (about a
compile's cost: a short run never compiles, a long one soon does, paying at most twice the best choice), then
compiles. CPU time, not wall time: beside busy neighbours a 0.12 s stand-in call took over 1 s of wall time. A
build in Numba's disk cache is loaded and used at once.

Results never depend on the tier: a stand-in does the kernel's arithmetic in the kernel's order (each output
element sees the same operations on the same values), and the tests run both tiers on the same inputs and
compare them exactly. Compiling in a background thread instead was measured and left out: Numba's typing and
lowering hold the GIL for most of a compile, so beside a busy caller a compile of 1.35 s CPU took 6.3 s of wall time.
"""
import threading
import time

from numba.core import event

# CPU seconds of stand-in runs after which a tiered kernel compiles; 0 compiles at the first call
# (``python -m numbatorch warmup``, the tests, the steady-state benchmarks).
STAND_IN_SECONDS = 1.0

_tiered_by_kernel = {}  # Numba dispatcher -> its Tiered wrapper
_compiling = threading.local()  # .allowed: this thread compiles a tiered kernel whatever its budget


class Unsupported(Exception):
    """Raised by a stand-in, before it writes anything, for arguments it does not handle: the kernel compiles."""


class NotCached(Exception):
    """A compile refused: the build was neither compiled nor in Numba's disk cache."""


class _RefuseCompile(event.Listener):
    """Stops one thread's compile of one dispatcher: Numba starts a compile only after missing its disk cache."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.thread = threading.get_ident()

    def on_start(self, ev):
        if ev.data["dispatcher"] is self.dispatcher and threading.get_ident() == self.thread:
            raise NotCached

    def on_end(self, ev):
        pass


def load_cached(dispatcher, args):
    """Whether ``dispatcher`` has a build for ``args``, loading it from Numba's disk cache; never compiles."""
    if not hasattr(dispatcher, "typeof_pyval"):
        return False
    signature = tuple(dispatcher.typeof_pyval(arg) for arg in args)
    try:
        with event.install_listener("numba:compile", _RefuseCompile(dispatcher)):
            dispatcher.compile(signature)
    except NotCached:
        return False
    return True


class _RefuseTieredCompiles(event.Listener):
    """Stops the compile of a tiered kernel whose stand-in still has budget left (any thread)."""

    def on_start(self, ev):
        tiered = _tiered_by_kernel.get(ev.data["dispatcher"])
        if tiered is not None and tiered.stands_in() and not getattr(_compiling, "allowed", False):
            raise NotCached

    def on_end(self, ev):
        pass


event.register("numba:compile", _RefuseTieredCompiles())


def _key(args):
    """What decides the Numba signature of ``args``, cheaply: array dtype/rank/layout/writability, else the type."""
    return tuple((a.dtype, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable)
                 if hasattr(a, "flags") else type(a) for a in args)


class Tiered:
    """``kernel`` (a Numba dispatcher) that runs ``stand_in`` instead while its build for the arguments is neither
    compiled nor in the disk cache, until the stand-in has run ``STAND_IN_SECONDS``.

    A call with a compiled signature goes straight to the kernel. Other attributes (``overloads``,
    ``py_func``, ...) are the kernel's. Thread-safe: convolutions call kernels from several Python threads.
    """

    def __init__(self, kernel, stand_in):
        self.kernel = kernel
        self.stand_in = stand_in
        self.stand_in_seconds = 0.0
        self.stand_in_calls = 0
        self._cold = set()  # _key()s of the arguments whose build is not cached
        self._lock = threading.Lock()
        _tiered_by_kernel[kernel] = self

    def __getattr__(self, name):
        if name == "kernel":  # not set yet (an instance made without __init__): no recursion
            raise AttributeError(name)
        return getattr(self.kernel, name)

    def stands_in(self):
        """Whether an uncached build is still served by the stand-in rather than compiled."""
        return self.stand_in_seconds < STAND_IN_SECONDS

    def __call__(self, *args):
        if self._cold:
            key = _key(args)
            if key in self._cold:
                if self.stands_in():
                    return self._run_stand_in(args, key)
                result = self.kernel(*args)  # compiles
                self._cold.discard(key)
                return result
        try:
            return self.kernel(*args)
        except NotCached:
            key = _key(args)
            self._cold.add(key)
        return self._run_stand_in(args, key)

    def _run_stand_in(self, args, key):
        start = time.thread_time()
        try:
            result = self.stand_in(*args)
        except Unsupported:
            _compiling.allowed = True
            try:
                result = self.kernel(*args)
            finally:
                _compiling.allowed = False
            self._cold.discard(key)
            return result
        with self._lock:
            self.stand_in_seconds += time.thread_time() - start
            self.stand_in_calls += 1
        return result
