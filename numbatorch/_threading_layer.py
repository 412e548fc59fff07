"""Pick a fork-safe numba threading layer before any parallel kernel runs.

pip's numba defaults to the OpenMP layer when TBB is not found, and GNU OpenMP
kills (or hangs) a forked child at its first parallel region once the parent has
used it -- which is exactly what DataLoader worker processes do.  The pip ``tbb``
wheel installs ``libtbb.so.12`` into ``<prefix>/lib``, which is not on the
dynamic loader's search path, so numba reports TBB as unavailable.  Loading the
library ourselves with ``RTLD_GLOBAL`` first makes numba's TBB layer work; TBB is
both thread-safe and fork-safe.  Without TBB we fall back to numba's
``workqueue`` layer, which is fork-safe (but not thread-safe).

``configure_threading_layer()`` must run before the first ``parallel=True``
kernel is launched; ``numbatorch/__init__.py`` calls it first thing.
"""
import ctypes
import os
import sys

_TBB_LIBRARY_NAMES = {
    "linux": "libtbb.so.12",
    "darwin": "libtbb.12.dylib",
    "win32": "tbb12.dll",
}
# numba refuses TBB runtimes older than this interface version.
_MIN_TBB_INTERFACE_VERSION = 12060
_FORK_SAFE_LAYERS = ("tbb", "workqueue", "safe")

_chosen_layer = None


def _tbb_candidates(name):
    """Paths where the pip/conda ``tbb`` package puts its runtime, then the bare soname."""
    prefixes = [sys.prefix, os.path.dirname(os.path.dirname(os.path.abspath(sys.executable)))]
    for prefix in dict.fromkeys(prefixes):
        for sub in ("lib", "Library/bin", "Lib"):
            path = os.path.join(prefix, sub, name)
            if os.path.exists(path):
                yield path
    yield name  # system-wide install found by the loader


def _load_tbb():
    """Load a recent enough TBB runtime globally; True when it worked."""
    name = _TBB_LIBRARY_NAMES.get(sys.platform)
    if name is None:
        return False
    mode = getattr(ctypes, "RTLD_GLOBAL", 0)
    for path in _tbb_candidates(name):
        try:
            lib = ctypes.CDLL(path, mode=mode)
            version = lib.TBB_runtime_interface_version()
        except (OSError, AttributeError):
            continue
        if version >= _MIN_TBB_INTERFACE_VERSION:
            return True
    return False


def _threads_launched():
    """The layer numba already started, or None (never raises, never starts it)."""
    numba = sys.modules.get("numba")
    if numba is None:
        return None
    try:
        return numba.threading_layer()
    except ValueError:  # numba raises this until the first parallel launch
        return None


def configure_threading_layer():
    """Choose 'tbb' when loadable, else 'workqueue'; respect a user's NUMBA_THREADING_LAYER.

    Returns the layer name requested (or already running).
    """
    global _chosen_layer
    launched = _threads_launched()
    if launched is not None:
        _chosen_layer = launched
        return launched
    user_choice = os.environ.get("NUMBA_THREADING_LAYER")
    if user_choice:
        layer = user_choice.lower()
        if layer in ("tbb", "safe", "default"):
            _load_tbb()  # the user's choice can only work if TBB is loadable
    else:
        layer = "tbb" if _load_tbb() else "workqueue"
        # numba re-reads its config from the environment when it compiles, so
        # the environment (inherited by spawned workers too) is the source of truth.
        os.environ["NUMBA_THREADING_LAYER"] = layer
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.THREADING_LAYER = layer
    _chosen_layer = layer
    return layer


def chosen_layer():
    """The layer requested by ``configure_threading_layer`` (None before it ran)."""
    return _chosen_layer


def is_fork_safe():
    """Whether a child forked now can run numba parallel kernels.

    True when no parallel kernel has run yet in this process (the child starts
    its own threads) or when the running layer survives fork.
    """
    launched = _threads_launched()
    return launched is None or launched in _FORK_SAFE_LAYERS


# Importing this module is what numbatorch/__init__.py does first: configure right away.
configure_threading_layer()
