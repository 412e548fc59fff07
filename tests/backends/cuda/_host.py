"""Moving test arrays between the host and the CUDA backend's array library."""
import numpy as np


def device(a):
    from numbatorch.backends.cuda._array import xp
    return xp.asarray(a)


def host(a):
    """A numpy copy of a backend array (CuPy's ``get``; under the simulator it already is numpy)."""
    return np.asarray(a.get() if hasattr(a, "get") else a)


def assert_close(cuda_result, cpu_result, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(host(cuda_result), np.asarray(cpu_result), rtol=rtol, atol=atol)
