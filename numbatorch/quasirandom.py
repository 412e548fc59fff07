"""``torch.quasirandom``: the Sobol low-discrepancy sequence (``SobolEngine``).

The sequence is PyTorch's: Joe and Kuo's direction numbers (the ``new-joe-kuo-6.21201`` table, read from SciPy,
which ships it), 30-bit integers, points in Gray-code order, and Owen-style linear matrix scrambling plus a random
digital shift when ``scramble=True``. Unscrambled points equal PyTorch's exactly; scrambled ones draw their random
bits from numbatorch's generator, whose stream differs from PyTorch's, so they are another valid scrambling.
"""
import os

import numpy as np

from . import _dtype as dt
from ._optional import import_optional
from ._creation import randint
from ._random import Generator
from ._tensor import Tensor

__all__ = ["SobolEngine"]


def _direction_table():
    stats = import_optional("scipy.stats", "quasirandom", "numbatorch.quasirandom.SobolEngine's direction numbers")
    table = np.load(os.path.join(os.path.dirname(stats.__file__), "_sobol_direction_numbers.npz"))
    return table["poly"], table["vinit"]


def direction_numbers(dimension, bits):
    """The ``(dimension, bits)`` int64 Sobol direction numbers ``m_j << (bits - 1 - j)`` (Joe–Kuo recurrence)."""
    poly, vinit = _direction_table()
    m = np.ones((dimension, bits), dtype=np.int64)
    for d in range(1, dimension):
        degree = int(poly[d]).bit_length() - 1
        m[d, :degree] = vinit[d, :degree]
        for j in range(degree, bits):
            value = m[d, j - degree] ^ (m[d, j - degree] << degree)
            for k in range(1, degree):
                if (int(poly[d]) >> (degree - k)) & 1:
                    value ^= m[d, j - k] << k
            m[d, j] = value
    return m << (bits - 1 - np.arange(bits, dtype=np.int64))


def scramble_direction_numbers(state, ltm):
    """Direction numbers multiplied over GF(2) by lower-triangular matrices ``ltm`` (unit diagonal forced)."""
    bits = state.shape[1]
    ltm = ltm.copy()
    ltm[:, np.arange(bits), np.arange(bits)] = 1
    weights = np.int64(1) << (bits - 1 - np.arange(bits, dtype=np.int64))
    digits = (state[:, :, None] & weights) != 0                        # (dim, j, bit), most significant first
    scrambled = np.einsum("dpk,djk->djp", ltm.astype(np.int64), digits.astype(np.int64)) & 1
    return scrambled @ weights


def _rightmost_zero_bits(start, n):
    counters = np.arange(start, start + n, dtype=np.int64)
    lowest_zero = ~counters & (counters + 1)
    return np.log2(lowest_zero).astype(np.int64)


class SobolEngine:
    """A generator of (optionally scrambled) Sobol points in ``[0, 1)^dimension``, as ``torch.quasirandom``'s."""

    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError("Supported range of dimensionality "
                             f"for SobolEngine is [1, {self.MAXDIM}]")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self.sobolstate = direction_numbers(dimension, self.MAXBIT)
        self.shift = np.zeros(dimension, dtype=np.int64)
        if scramble:
            self._scramble()
        self.quasi = self.shift.copy()
        self._first_point = (self.quasi / 2 ** self.MAXBIT).reshape(1, -1)
        self.num_generated = 0

    def _scramble(self):
        generator = Generator()
        if self.seed is None:
            generator.seed()
        else:
            generator.manual_seed(self.seed)
        shift_bits = randint(2, (self.dimension, self.MAXBIT), generator=generator).numpy()
        self.shift = shift_bits @ (np.int64(1) << np.arange(self.MAXBIT, dtype=np.int64))
        ltm = np.tril(randint(2, (self.dimension, self.MAXBIT, self.MAXBIT), generator=generator).numpy())
        self.sobolstate = scramble_direction_numbers(self.sobolstate, ltm)

    def _advance(self, n, start):
        """The next ``n`` integer points after ``self.quasi`` (Gray-code counters from ``start``); updates it."""
        steps = self.sobolstate[:, _rightmost_zero_bits(start, n)].T
        points = np.bitwise_xor.accumulate(steps, axis=0) ^ self.quasi
        if len(points):
            self.quasi = points[-1].copy()
        return points

    def draw(self, n=1, out=None, dtype=None):
        """The next ``n`` points of the sequence, an ``(n, dimension)`` tensor (default dtype unless ``dtype``)."""
        np_dtype = (dtype or dt.get_default_dtype()).np
        if self.num_generated == 0:
            rest = self._advance(n - 1, 0) if n > 1 else np.zeros((0, self.dimension), dtype=np.int64)
            result = np.concatenate([self._first_point, rest / 2 ** self.MAXBIT])[:n]
        else:
            result = self._advance(n, self.num_generated - 1) / 2 ** self.MAXBIT
        self.num_generated += n
        result = Tensor._make(result.astype(np_dtype))
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next ``2**m`` points; the total drawn must stay a power of 2 (the balance of Sobol points)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError("The balance properties of Sobol' points require "
                             f"n to be a power of 2. {self.num_generated} points have been "
                             f"previously generated, then: n={self.num_generated}+2**{m}={total_n}. "
                             "If you still want to do this, please use "
                             "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Restart the sequence from its first point; returns the engine."""
        self.quasi = self.shift.copy()
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skip the next ``n`` points; returns the engine."""
        if self.num_generated == 0:
            self._advance(n - 1, 0)
        else:
            self._advance(n, self.num_generated - 1)
        self.num_generated += n
        return self

    def __repr__(self):
        fmt_string = [f"dimension={self.dimension}"]
        if self.scramble:
            fmt_string += ["scramble=True"]
        if self.seed is not None:
            fmt_string += [f"seed={self.seed}"]
        return self.__class__.__name__ + "(" + ", ".join(fmt_string) + ")"
