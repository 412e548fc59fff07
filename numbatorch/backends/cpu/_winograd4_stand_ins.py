"""Numpy stand-ins for the F(4x4, 3x3) tile transforms of ``_winograd4_kernels.py`` (see ``_tiered.py``).

Each takes its kernel's arguments and writes its kernel's results bit for bit: the same formulas on the same
values in the same order, in the data's dtype.  The kernels' scratch arguments are left alone.
"""
import numpy as np

from ._winograd_stand_ins import _bands, _planes, _write_tile_rows


def _bt(i, d, coef):
    """Row i of B^T times the six arrays d, as ``_winograd4_kernels._bt``."""
    c2, c4, c5 = coef[0], coef[1], coef[2]
    if i == 0:
        return c4 * d[0] - c5 * d[2] + d[4]
    if i == 1:
        return (d[3] + d[4]) - c4 * (d[1] + d[2])
    if i == 2:
        return (d[4] - d[3]) + c4 * (d[1] - d[2])
    if i == 3:
        return (d[4] - d[2]) + c2 * (d[3] - d[1])
    if i == 4:
        return (d[4] - d[2]) - c2 * (d[3] - d[1])
    return c4 * d[1] - c5 * d[3] + d[5]


def _at(r, m, coef):
    """Row r of A^T times the six arrays m, as ``_winograd4_kernels._at``."""
    c2, c4, c8 = coef[0], coef[1], coef[3]
    if r == 0:
        return m[0] + (m[1] + m[2]) + (m[3] + m[4])
    if r == 1:
        return (m[1] - m[2]) + c2 * (m[3] - m[4])
    if r == 2:
        return (m[1] + m[2]) + c4 * (m[3] + m[4])
    return (m[1] - m[2]) + c8 * (m[3] - m[4]) + m[5]


def input_tiles(x, V, P, rows, coef, g0, nrows, tH, tW, ph, pw):
    """``_winograd4_kernels.input_tiles``: the tiles' 6-row bands gathered (zero outside x) in the kernel's
    phase layout, combined down the rows, then along them, on all channels and tiles at once."""
    C = x.shape[1]
    planes = _planes(V, C, P, 36)
    width = tW + 1
    T = nrows * width
    bands = _bands(x, g0, nrows, tH, 4, 6, 4 * width, ph, pw)     # (C, nrows, 6, 4 * width)
    # (row r, channel, phase p, tile k * width + t), then a zero: the kernel's gathered rows
    phased = np.zeros((6, C, 4, T + 1), dtype=x.dtype)
    phased[..., :T] = bands.reshape(C, nrows, 6, width, 4).transpose(2, 0, 4, 1, 3).reshape(6, C, 4, T)
    with np.errstate(over="ignore", invalid="ignore"):        # as the kernel: no checks
        for i in range(6):
            combined = _bt(i, phased, coef)                   # (C, 4, T + 1)
            columns = [combined[:, s % 4, s // 4:s // 4 + T] for s in range(6)]     # patch column s of each tile
            for j in range(6):
                planes[6 * i + j, :, :T] = _bt(j, columns, coef)


def _a(i, s, coef):
    """Row i of A (6x4) times the four arrays s, as ``_winograd4_kernels._a``."""
    c2, c4, c8 = coef[0], coef[1], coef[3]
    if i == 0:
        return s[0]
    if i == 1:
        return (s[0] + s[1]) + (s[2] + s[3])
    if i == 2:
        return (s[0] - s[1]) + (s[2] - s[3])
    if i == 3:
        return (s[0] + c2 * s[1]) + (c4 * s[2] + c8 * s[3])
    if i == 4:
        return (s[0] - c2 * s[1]) + (c4 * s[2] - c8 * s[3])
    return s[3]


def gradient_tiles(gy, Z, P, rows, coef, g0, nrows, tH, tW):
    """``_winograd4_kernels.gradient_tiles``: the tiles' 4-row bands gathered (zero past gy's edges), combined
    down the rows, then along them, on all channels and tiles at once."""
    C = gy.shape[1]
    planes = _planes(Z, C, P, 36)
    width = tW + 1
    T = nrows * width
    bands = _bands(gy, g0, nrows, tH, 4, 4, 4 * width, 0, 0)      # (C, nrows, 4, 4 * width)
    phased = bands.reshape(C, nrows, 4, width, 4).transpose(2, 0, 4, 1, 3).reshape(4, C, 4, T)
    with np.errstate(over="ignore", invalid="ignore"):        # as the kernel: no checks
        for i in range(6):
            combined = _a(i, phased, coef)                    # (C, 4, T): row combination i, column phases
            for j in range(6):
                planes[6 * i + j, :, :T] = _a(j, combined.transpose(1, 0, 2), coef)


def output_tiles(M, P, out, bias, sums, coef, g0, nrows, tH, tW):
    """``_winograd4_kernels.output_tiles``: A^T m A + bias of every tile, then each sample's tile rows written
    at once; whether a written element is infinite or NaN."""
    Cout = out.shape[1]
    T = nrows * (tW + 1)
    m = _planes(M, Cout, P, 36)[:, :, :T]
    b = bias[:, None]
    tiles = np.empty((Cout, nrows, 4, tW + 1, 4), dtype=out.dtype)
    with np.errstate(over="ignore", invalid="ignore"):   # as the kernel: non-finite results are returned as such
        for r in range(4):
            s = [_at(r, [m[6 * i + j] for i in range(6)], coef) for j in range(6)]
            for c in range(4):
                tiles[:, :, r, :, c] = (_at(c, s, coef) + b).reshape(Cout, nrows, tW + 1)
    return _write_tile_rows(out, tiles[:, :, :, :tW], g0, nrows, tH)     # no spare tiles
