"""Load kernels from Numba's disk cache without the registries and the LLVM compile that Numba does first.

Before its first disk-cache load, Numba refreshes its CPU target: it imports about 200 modules of typing and
lowering registries (numba.np.arraymath alone imports scipy.linalg, numpy.f2py and numpy.testing) and
compiles its runtime's (NRT's) LLVM module, which pages in LLVM's IR parser, optimiser and x86 back end. A
build loaded from the cache is machine code that needs only the runtime. With every kernel cached, the
refresh cost the first cifar2 training step 0.2 s of CPU and the compile 20 MB of file-backed RSS, of 63 MB
of peak RSS growth at batch 2 (PyTorch's: 21 MB).

Here a CPU cache load initialises only the runtime, and the runtime's machine code is cached beside the kernels
the same way (keyed by its LLVM IR, the host CPU's name and features and the Numba/llvmlite versions). A compile
still refreshes the target first (Numba's compiler does so itself). Numba's two functions are replaced only when
their signatures are the ones this module knows, and a narrowed load that raises is done again by Numba's own.
"""
import hashlib
import inspect
import os
import pickle

import llvmlite
import numba
from numba.core import caching
from numba.core.cpu import CPUContext
from numba.core.runtime import nrtdynmod, rtsys

_load_overload = caching.Cache.load_overload
_compile_nrt_functions = nrtdynmod.compile_nrt_functions
runtime_loaded_from = None  # the file the runtime's machine code came from, when it did


def _load_overload_with_runtime_only(cache, signature, target_context):
    """Numba's ``Cache.load_overload`` with a CPU target's ``refresh`` narrowed to initialising the runtime.

    The dispatcher holds Numba's global compiler lock around the load, so no compile sees the narrowed
    ``refresh``. Other targets (CUDA's cache) and a narrowed load that raises get Numba's own load.
    """
    if isinstance(target_context, CPUContext):
        target_context.refresh = lambda: rtsys.initialize(target_context)
        try:
            return _load_overload(cache, signature, target_context)
        except Exception:  # something the full refresh would have provided: load again as Numba does
            pass
        finally:
            del target_context.refresh
    return _load_overload(cache, signature, target_context)


def _cache_dir():
    """Where Numba caches this package's kernels (``NUMBA_CACHE_DIR``, the sources' ``__pycache__`` or the
    user-wide cache); raises RuntimeError when nowhere is writable."""
    return caching.FunctionCache(_cache_dir).cache_path


def _runtime_cache_file(ir_module, codegen):
    """The file caching the runtime built from ``ir_module`` by ``codegen``; None when there is no cache (or the
    codegen is not one this module knows)."""
    try:
        key = repr((str(ir_module), codegen.magic_tuple(), numba.__version__, llvmlite.__version__))
        directory = _cache_dir()
    except Exception:
        return None
    return directory and os.path.join(directory, f"nrt-{hashlib.sha256(key.encode()).hexdigest()[:20]}.nbo")


def _save_runtime(library, path):
    """Write ``library``'s machine code to ``path`` whole (a temporary file renamed), or not at all."""
    temporary = f"{path}.{os.getpid()}.tmp"  # per process: concurrent writers never share a partial file
    try:
        with open(temporary, "wb") as f:
            pickle.dump(library.serialize_using_object_code(), f)
        os.replace(temporary, path)
    except Exception:  # read-only or full disk: the next process compiles the runtime again
        if os.path.exists(temporary):
            os.remove(temporary)


def _compile_runtime_once(target_context):
    """The runtime's library: loaded from its cached machine code, else compiled (and cached)."""
    global runtime_loaded_from
    ir_module, library = nrtdynmod.create_nrt_module(target_context)
    codegen = target_context.codegen()
    path = _runtime_cache_file(ir_module, codegen)
    if path and os.path.exists(path):
        try:
            with open(path, "rb") as f:
                loaded = codegen.unserialize_library(pickle.load(f))
            runtime_loaded_from = path
            return loaded
        except Exception:  # unreadable or truncated by a crash: compile it again
            pass
    if path:
        library.enable_object_caching()
    library.add_ir_module(ir_module)
    library.finalize()
    if path:
        _save_runtime(library, path)
    return library


def _parameters(function):
    return tuple(inspect.signature(function).parameters)


# Numba's functions as this module knows them (the replacements' own parameter names also keep a second import
# of this module from taking them for Numba's)
if (_parameters(_load_overload) == ("self", "sig", "target_context")
        and _parameters(_compile_nrt_functions) == _parameters(nrtdynmod.create_nrt_module) == ("ctx",)):
    caching.Cache.load_overload = _load_overload_with_runtime_only
    nrtdynmod.compile_nrt_functions = _compile_runtime_once
