"""Numba tile transforms of the Winograd F(4x4, 3x3) convolution (see _winograd.py).

Tiles: output tile (ti, tj) covers output rows 4ti .. 4ti + 3 and columns 4tj .. 4tj + 3; it reads the 6x6
input patch at rows 4ti - ph + r and columns 4tj - pw + s (zero outside the input).  A chunk is ``nrows``
consecutive tile rows of the batch (global tile row g = n * tH + ti), its tiles numbered
p = (g - g0) * (tW + 1) + tj: each tile row ends with a spare tile, computed and never written out, so that
every transform step is one loop over all the chunk's tiles (per tile row, the steps' 16-tile loops ran at
half the speed of long ones, and each had its own set-up).
A transformed buffer holds 36 planes, entry 6 * i + j of the 6x6 transform of every (channel, tile): one
(channels x P) matrix each, so the products between transforms are 36 GEMMs.

B^T (6x6) and A^T (4x6) are Lavin and Gray's for the points 0, +-1, +-2:
    B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
           [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
    A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
Both are applied as the formulas of ``_bt`` and ``_at``, with the constants 2, 4, 5, 8 in the data's dtype
(``coef``) so float32 stays float32; the numpy stand-ins evaluate the same formulas in the same order.

Each loop stores one stream, so it vectorises; the helpers are inlined (through a call, the transforms'
short loops ran 3x slower).  Every kernel releases the GIL.
"""
from numba import njit, uint64

from . import _winograd4_stand_ins
from ._tiered import Tiered


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _bt(dst, d, src, o0, o1, o2, o3, o4, o5, i, n, coef):
    """dst[d + t] = row i of B^T times (src[o0 + t], ..., src[o5 + t]) for t < n (1-d arrays)."""
    c2, c4, c5 = coef[0], coef[1], coef[2]
    d, o0, o1, o2, o3, o4, o5 = uint64(d), uint64(o0), uint64(o1), uint64(o2), uint64(o3), uint64(o4), uint64(o5)
    for t in range(n):      # unsigned offsets: no negative-index checks, so the loops vectorise
        u = uint64(t)
        if i == 0:
            dst[d + u] = c4 * src[o0 + u] - c5 * src[o2 + u] + src[o4 + u]
        elif i == 1:
            dst[d + u] = (src[o3 + u] + src[o4 + u]) - c4 * (src[o1 + u] + src[o2 + u])
        elif i == 2:
            dst[d + u] = (src[o4 + u] - src[o3 + u]) + c4 * (src[o1 + u] - src[o2 + u])
        elif i == 3:
            dst[d + u] = (src[o4 + u] - src[o2 + u]) + c2 * (src[o3 + u] - src[o1 + u])
        elif i == 4:
            dst[d + u] = (src[o4 + u] - src[o2 + u]) - c2 * (src[o3 + u] - src[o1 + u])
        else:
            dst[d + u] = c4 * src[o1 + u] - c5 * src[o3 + u] + src[o5 + u]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _at(dst, d, src, o0, o1, o2, o3, o4, o5, r, n, coef):
    """dst[d + t] = row r of A^T times (src[o0 + t], ..., src[o5 + t]) for t < n (1-d arrays)."""
    c2, c4, c8 = coef[0], coef[1], coef[3]
    d, o0, o1, o2, o3, o4, o5 = uint64(d), uint64(o0), uint64(o1), uint64(o2), uint64(o3), uint64(o4), uint64(o5)
    for t in range(n):
        u = uint64(t)
        if r == 0:
            dst[d + u] = src[o0 + u] + (src[o1 + u] + src[o2 + u]) + (src[o3 + u] + src[o4 + u])
        elif r == 1:
            dst[d + u] = (src[o1 + u] - src[o2 + u]) + c2 * (src[o3 + u] - src[o4 + u])
        elif r == 2:
            dst[d + u] = (src[o1 + u] + src[o2 + u]) + c4 * (src[o3 + u] + src[o4 + u])
        else:
            dst[d + u] = (src[o1 + u] - src[o2 + u]) + c8 * (src[o3 + u] - src[o4 + u]) + src[o5 + u]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _a(dst, d, src, o0, o1, o2, o3, i, n, coef):
    """dst[d + t] = row i of A (A^T's transpose, 6x4) times (src[o0 + t], ..., src[o3 + t]) for t < n."""
    c2, c4, c8 = coef[0], coef[1], coef[3]
    d, o0, o1, o2, o3 = uint64(d), uint64(o0), uint64(o1), uint64(o2), uint64(o3)
    for t in range(n):
        u = uint64(t)
        if i == 0:
            dst[d + u] = src[o0 + u]
        elif i == 1:
            dst[d + u] = (src[o0 + u] + src[o1 + u]) + (src[o2 + u] + src[o3 + u])
        elif i == 2:
            dst[d + u] = (src[o0 + u] - src[o1 + u]) + (src[o2 + u] - src[o3 + u])
        elif i == 3:
            dst[d + u] = (src[o0 + u] + c2 * src[o1 + u]) + (c4 * src[o2 + u] + c8 * src[o3 + u])
        elif i == 4:
            dst[d + u] = (src[o0 + u] - c2 * src[o1 + u]) + (c4 * src[o2 + u] - c8 * src[o3 + u])
        else:
            dst[d + u] = src[o3 + u]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _gather_row(rows, at, Q, x, flat, n, c, h, pw, width):
    """rows[at + p * Q + t] = x[n, c, h, 4t + p - pw] for p < 4, t < width, zero outside x (h inside)."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    # tiles t in [lo, hi) have all four columns inside x: copied without checks
    lo = min(max(-(-pw // 4), 0), width)
    hi = max(min((W + pw) // 4, width), lo)
    src = uint64(((n * C + c) * H + h) * W)
    a = uint64(at)
    for t in range(lo, hi):
        w = src + uint64(4 * t - pw)
        for p in range(4):
            rows[a + uint64(p * Q + t)] = flat[w + uint64(p)]
    for e in range(lo + width - hi):       # the tiles left of lo and right of hi
        t = e if e < lo else hi + e - lo
        for p in range(4):
            w = 4 * t + p - pw
            rows[a + uint64(p * Q + t)] = x[n, c, h, w] if 0 <= w < W else 0


def input_scratch_size(P):
    """Length of input_tiles' ``rows`` scratch for chunks of up to P tiles (spare ones included)."""
    return 48 * (P + 1)


@njit(cache=True, nogil=True, error_model="numpy")
def input_tiles(x, V, P, rows, coef, g0, nrows, tH, tW, ph, pw):
    """V[6i + j, c * P + p] = (B^T d B)[i, j] of the 6x6 patch d of tile p of the chunk in channel c of x
    (N, C, H, W), the spare tiles' included.

    Row r of every tile's patch is gathered split into four column phases (rows[r]: phase p of the whole
    chunk at p * Q, Q = tiles + 1, the last a zero read by the last spare tile), combined down the rows
    (rows[6 + i]), then along them: patch column s is phase s % 4 at tile offset s // 4.  Scratch: rows
    (length input_scratch_size(P)); coef: 2, 4, 5, 8 in x's dtype.  x may hold one sample that every tile row
    reads (sample n % N: a gradient broadcast over the batch)."""
    N, C, H = x.shape[0], x.shape[1], x.shape[2]
    flat = x.reshape(-1)
    planes = V.reshape(-1)
    stride = V.shape[1]
    width = tW + 1
    T = nrows * width
    Q = T + 1
    block = 4 * Q               # one gathered (or combined) row of every tile: its four phases
    for c in range(C):
        for k in range(nrows):
            n = (g0 + k) // tH
            ti = g0 + k - n * tH
            for r in range(6):
                h = 4 * ti - ph + r
                at = r * block + k * width
                if 0 <= h < H:
                    _gather_row(rows, at, Q, x, flat, n % N, c, h, pw, width)
                else:
                    for p in range(4):
                        rows[at + p * Q:at + p * Q + width] = 0
        for r in range(6):
            for p in range(4):
                rows[r * block + p * Q + T] = 0
        for i in range(6):
            _bt(rows, (6 + i) * block, rows, 0, block, 2 * block, 3 * block, 4 * block, 5 * block, i, block, coef)
        for i in range(6):
            R = (6 + i) * block
            for j in range(6):
                _bt(planes, (6 * i + j) * stride + c * P, rows, R, R + Q, R + 2 * Q, R + 3 * Q, R + 1, R + Q + 1,
                    j, T, coef)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _output_tile(row, w, width, sums, q, T, b, coef):
    """row[w + e] = (A^T (s[q], s[q + T], ..., s[q + 5T]))[e] + b for e < width (<= 4), s = sums: one output row
    of a tile from its six column sums.  Returns whether one of them is infinite or NaN."""
    m0, m1, m2 = sums[q], sums[q + T], sums[q + uint64(2) * T]
    m3, m4, m5 = sums[q + uint64(3) * T], sums[q + uint64(4) * T], sums[q + uint64(5) * T]
    y0 = m0 + (m1 + m2) + (m3 + m4) + b
    y1 = (m1 - m2) + coef[0] * (m3 - m4) + b
    y2 = (m1 + m2) + coef[1] * (m3 + m4) + b
    y3 = (m1 - m2) + coef[3] * (m3 - m4) + m5 + b
    if width == 4:
        row[w] = y0
        row[w + 1] = y1
        row[w + 2] = y2
        row[w + 3] = y3
        return (y0 - y0 != 0) | (y1 - y1 != 0) | (y2 - y2 != 0) | (y3 - y3 != 0)     # y - y: NaN for inf, NaN
    non_finite = False
    for e, y in enumerate((y0, y1, y2, y3)):
        if e < width:
            row[w + e] = y
            non_finite |= y - y != 0
    return non_finite


def gradient_scratch_size(P):
    """Length of gradient_tiles' ``rows`` scratch for chunks of up to P tiles (spare ones included)."""
    return 40 * (P + 1)


@njit(cache=True, nogil=True, error_model="numpy")
def gradient_tiles(gy, Z, P, rows, coef, g0, nrows, tH, tW):
    """Z[6i + j, c * P + p] = (A y A^T)[i, j] of the 4x4 tile y of tile p of the chunk in channel c of gy
    (N, C, oH, oW), zero past its edges (and for the spare tiles): the transform whose products with
    input_tiles' give the weight gradient.  Laid out as input_tiles: rows[r] (r < 4) the tiles' row r in four
    column phases, rows[4 + i] their combinations down the rows.  Scratch: rows (length
    gradient_scratch_size(P)); coef: 2, 4, 5, 8 in gy's dtype.  gy may hold one sample that every tile row
    reads (sample n % N: a gradient broadcast over the batch)."""
    N, C, H = gy.shape[0], gy.shape[1], gy.shape[2]
    flat = gy.reshape(-1)
    planes = Z.reshape(-1)
    stride = Z.shape[1]
    width = tW + 1
    T = nrows * width
    Q = T + 1
    block = 4 * Q
    for c in range(C):
        for k in range(nrows):
            n = (g0 + k) // tH
            ti = g0 + k - n * tH
            for r in range(4):
                h = 4 * ti + r
                at = r * block + k * width
                if h < H:
                    _gather_row(rows, at, Q, gy, flat, n % N, c, h, 0, width)
                else:
                    for p in range(4):
                        rows[at + p * Q:at + p * Q + width] = 0
        for r in range(4):
            for p in range(4):
                rows[r * block + p * Q + T] = 0     # as input_tiles' (read by the row combinations only)
        for i in range(6):
            _a(rows, (4 + i) * block, rows, 0, block, 2 * block, 3 * block, i, block, coef)
        for i in range(6):
            R = (4 + i) * block
            for j in range(6):
                _a(planes, (6 * i + j) * stride + c * P, rows, R, R + Q, R + 2 * Q, R + 3 * Q, j, T, coef)


@njit(cache=True, nogil=True, error_model="numpy")
def output_tiles(M, P, out, bias, sums, coef, g0, nrows, tH, tW):
    """out's 4x4 output tiles of the chunk = A^T m A + bias[co], m = M[:, co * P + p] (36 planes).

    out is (N, Cout, oH, oW); a tile's rows or columns past oH / oW, and the spare tiles, are dropped.
    Scratch: sums (length 24 * P).  Returns whether any output is infinite or NaN."""
    oH, oW = out.shape[2], out.shape[3]
    planes = M.reshape(-1)
    stride = M.shape[1]
    T = nrows * (tW + 1)
    full = oW // 4
    non_finite = False
    for co in range(out.shape[1]):
        b = bias[co]
        for r in range(4):      # A^T down the columns: sums[6r + j] = (A^T m)[r, j]
            for j in range(6):
                m = j * stride + co * P
                _at(sums, (6 * r + j) * T, planes, m, m + 6 * stride, m + 12 * stride, m + 18 * stride,
                    m + 24 * stride, m + 30 * stride, r, T, coef)
        for k in range(nrows):
            n = (g0 + k) // tH
            h0 = 4 * (g0 + k - n * tH)
            for r in range(min(4, oH - h0)):
                row = out[n, co, h0 + r]
                s = uint64(6 * r * T + k * (tW + 1))
                # the tiles inside the output's width, then the last one cut by it (one branch-free loop:
                # a test per tile kept it scalar)
                for t in range(full):
                    non_finite |= _output_tile(row, 4 * t, 4, sums, s + uint64(t), uint64(T), b, coef)
                if full < tW:
                    non_finite |= _output_tile(row, 4 * full, oW - 4 * full, sums, s + uint64(full), uint64(T), b,
                                               coef)
    return non_finite


# numpy stand-ins run while the builds are not cached (see _tiered.py)
input_tiles = Tiered(input_tiles, _winograd4_stand_ins.input_tiles)
output_tiles = Tiered(output_tiles, _winograd4_stand_ins.output_tiles)
gradient_tiles = Tiered(gradient_tiles, _winograd4_stand_ins.gradient_tiles)
