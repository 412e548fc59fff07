"""Load kernels from Numba's disk cache without the registries and the LLVM compile that Numba does first.

Before its first disk-cache load, Numba refreshes its CPU target: it imports about 200 modules of typing and
lowering registries (numba.np.arraymath alone imports scipy.linalg, numpy.f2py and numpy.testing) and
compiles its runtime's (NRT's) LLVM module, which pages in LLVM's IR parser, optimiser and x86 back end. A
build loaded from the cache is machine code that needs only the runtime. With every kernel cached, the
refresh cost the first cifar2 training step 0.2 s of CPU and the compile 20 MB of file-backed RSS, of 63 MB
of peak RSS growth at batch 2 (PyTorch's: 21 MB).

Here a cache load initialises only the runtime, and the runtime's machine code is cached beside the kernels
the same way (keyed by its LLVM IR, the host CPU and the Numba/llvmlite versions). A compile still refreshes
the target first (Numba's compiler does so itself), so the registries are loaded as soon as anything compiles.
"""
import hashlib
import os
import pickle

import llvmlite
import numba
from numba.core import caching
from numba.core.runtime import nrtdynmod, rtsys

_load_overload = caching.Cache.load_overload
runtime_loaded_from = None  # the file the runtime's machine code came from, when it did


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


def _cache_dir():
    """Where Numba caches this package's kernels (``NUMBA_CACHE_DIR``, the sources' ``__pycache__`` or the
    user-wide cache); None when nowhere is writable."""
    try:
        return caching.FunctionCache(_cache_dir).cache_path
    except RuntimeError:
        return None


def _compile_runtime_once(target_context):
    """The runtime's library: loaded from its cached machine code, else compiled (and cached)."""
    global runtime_loaded_from
    ir_module, library = nrtdynmod.create_nrt_module(target_context)
    codegen = target_context.codegen()
    key = repr((str(ir_module), codegen.magic_tuple(), numba.__version__, llvmlite.__version__))
    directory = _cache_dir()
    path = directory and os.path.join(directory, f"nrt-{hashlib.sha256(key.encode()).hexdigest()[:20]}.nbo")
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as f:
                loaded = codegen.unserialize_library(pickle.load(f))
            runtime_loaded_from = path
            return loaded
        except Exception:  # unreadable or truncated by a crash: compile it again
            pass
    library.enable_object_caching()
    library.add_ir_module(ir_module)
    library.finalize()
    if path:
        temporary = f"{path}.{os.getpid()}.tmp"  # written whole, then renamed: readers never see a partial file
        try:
            with open(temporary, "wb") as f:
                pickle.dump(library.serialize_using_object_code(), f)
            os.replace(temporary, path)
        except OSError:
            pass
    return library


caching.Cache.load_overload = _load_overload_with_runtime_only
nrtdynmod.compile_nrt_functions = _compile_runtime_once
