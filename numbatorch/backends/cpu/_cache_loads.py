"""Load kernels from Numba's disk cache without first loading the registries its compiler needs.

Numba refreshes its CPU target before every disk-cache load: it imports about 200 modules of typing and
lowering registries (numba.np.arraymath alone imports scipy.linalg, numpy.f2py and numpy.testing) and installs
them. A build loaded from the cache is machine code that only needs Numba's runtime (NRT), so that refresh
cost the first cifar2 training step 0.2 s of CPU and 23 MB of its peak RSS growth whenever no kernel had to
compile. Here a cache load initialises the runtime only; a compile still refreshes the target first (Numba's
compiler does so itself), so the registries are loaded as soon as anything compiles.
"""
from numba.core import caching
from numba.core.runtime import rtsys

_load_overload = caching.Cache.load_overload


def _load_overload_with_runtime_only(cache, signature, target_context):
    """Numba's ``Cache.load_overload`` with the target's ``refresh`` narrowed to initialising the runtime.

    The dispatcher holds Numba's global compiler lock around the load, so no compile sees the narrowed
    ``refresh``.
    """
    target_context.refresh = lambda: rtsys.initialize(target_context)
    try:
        return _load_overload(cache, signature, target_context)
    finally:
        del target_context.refresh


caching.Cache.load_overload = _load_overload_with_runtime_only
