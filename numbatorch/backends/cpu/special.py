"""Special functions numpy lacks (erf), as Numba ufuncs."""
import math

import numpy as np
from numba import vectorize


@vectorize(["float32(float32)", "float64(float64)"], cache=True)
def _erf(x):
    return math.erf(x)


@vectorize(["float32(float32)", "float64(float64)"], cache=True)
def _erfc(x):
    return math.erfc(x)


def erf(x):
    """Elementwise error function of a float32/float64 array."""
    return _erf(np.asarray(x))


def erfc(x):
    return _erfc(np.asarray(x))
