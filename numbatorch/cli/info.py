"""``python -m numbatorch info``: versions, threading, CUDA and where the compiled kernels are cached."""
import importlib.metadata
import os
import platform
import sys

__all__ = ["register", "collect", "run_info"]

# (distribution, extra that installs it)
_OPTIONAL = (("pandas", "keras"), ("tqdm", "keras"), ("matplotlib", "keras"), ("tensorboard", "tensorboard"),
             ("scikit-learn", "tutorials"), ("mpi4py", "distributed"))


def register(subparsers):
    """Add the ``info`` sub-parser."""
    parser = subparsers.add_parser("info", help="print versions, threading layer, thread count, CUDA and cache dir",
                                   description="Print numbatorch's version, its dependencies' versions, Numba's "
                                               "threading layer and thread count, CUDA availability and the "
                                               "directory where compiled kernels are cached.")
    parser.set_defaults(func=run_info)


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def kernel_cache_dir():
    """Where Numba writes numbatorch's compiled kernels (``NUMBA_CACHE_DIR`` when set, else the
    ``__pycache__`` beside the kernels, or Numba's per-user cache when that is not writable)."""
    import numba
    from ..backends.cpu import pointwise
    for value in vars(pointwise).values():
        for kernel in (value, getattr(value, "serial", None)):  # a dispatcher, or a serial/parallel pair
            path = getattr(getattr(kernel, "_cache", None), "_cache_path", None)
            if isinstance(kernel, numba.core.registry.CPUDispatcher) and path:
                return path
    return numba.config.CACHE_DIR or os.path.join(os.path.dirname(pointwise.__file__), "__pycache__")


def collect():
    """The report as (label, value) pairs."""
    import numba
    import numpy
    from .. import __version__, cuda
    from .._threading_layer import _threads_launched, chosen_layer
    launched = _threads_launched()
    layer = launched if launched is not None else f"{chosen_layer()} (starts with the first parallel kernel)"
    rows = [("numbatorch", __version__),
            ("python", f"{platform.python_version()} ({sys.executable})"),
            ("numpy", numpy.__version__),
            ("numba", numba.__version__),
            ("threading layer", layer),
            ("threads", f"{numba.get_num_threads()} of {numba.config.NUMBA_NUM_THREADS} "
                        f"(NUMBA_NUM_THREADS; {os.cpu_count()} CPUs)"),
            ("CUDA available", str(cuda.is_available())),
            ("kernel cache", kernel_cache_dir())]
    for dist, extra in _OPTIONAL:
        version = _version(dist)
        rows.append((dist, version if version else f"not installed (pip install 'numbatorch[{extra}]')"))
    return rows


def run_info(args):
    """Print the report; returns 0."""
    rows = collect()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0
