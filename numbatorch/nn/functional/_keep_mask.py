"""The keep-mask of dropout: True with probability ``1 - p``, from raw 32-bit draws of numbatorch's generator."""
import math

import numpy as np

from ..._random import numpy_generator

_BITS = 2 ** 32


def keep_mask(shape, p):
    """A bool array of ``shape``, each entry True with probability ``1 - p``.

    One 32-bit draw per entry, kept when it is at least ``ceil(p * 2**32)``: raw generator bits are 2.5-6x
    faster than comparing float64 uniforms with ``p``. Drawn on the host, so a device input gets the mask a CPU
    input of the same seed gets.
    """
    threshold = math.ceil(p * _BITS)
    if threshold >= _BITS:  # p within 2**-32 of 1: no draw can be kept
        return np.zeros(shape, dtype=np.bool_)
    count = math.prod(shape)
    bits = numpy_generator().bit_generator.random_raw((count + 1) // 2).view(np.uint32)[:count]
    return (bits >= np.uint32(threshold)).reshape(shape)
