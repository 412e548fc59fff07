"""numba.cuda kernels with the entry points of ``backends.cpu``, on arrays of ``_array.xp``."""
