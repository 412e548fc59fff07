"""The tiling plan of the im2col convolution (backends/cpu/conv.py): how a convolution's
(samples x output rows) are split into tiles of about TILE_BYTES of col buffer, how many
worker threads run them, and, per convolution, whether it takes the row-offset path
(_conv_rows.py), its tiles and the size of each thread's col buffer.  The forward and the
backward both plan through here; the constants are read at call time, so tests patch them
on this module.
"""
from itertools import accumulate

from ._conv_threads import worker_count
from . import _conv_rows
from . import _parallel

# Bytes of one im2col tile: large enough for an efficient GEMM, small enough to stay in
# cache between im2col and GEMM.  Measured on a shared 2-core EPYC (1 MB L2 per core):
# 1-2 MB beat 4 MB by 10-20% on Conv2d 32->32 64x64 (more, cache-warmer tiles balance
# better across threads); 16 MB was 1.5x slower.
TILE_BYTES = 2 << 20
# Aim for at least this many tiles per worker thread so that a core stolen by another
# process (or uneven tiles) still leaves the others busy.  cifar2's step at batch 50 on two
# threads: 2 (tiles of 13 samples) against 4 (7): 1 ms less CPU, 0.96-1.0x the wall time with
# the cores free, the same beside busy neighbours (load 6).
TILES_PER_WORKER = 2
# The row-offset path's buffer (C * kw rows per output row) also holds kh - 1 halo rows and is used beside a
# Cout-row result: counted double, its tiles of ~1 MB ran cifar2's conv2 5-10% faster than ~2 MB ones.
_ROWS_TILE_FACTOR = 2


def tiles(N, rows, R, oW, itemsize, n_workers=1):
    """Split (samples x output rows) into tiles of about TILE_BYTES of col buffer
    (fewer samples per tile when that leaves too few tiles for n_workers).  Row tiles of
    one sample are equal: a short remainder tile made a slow, skinny GEMM.  Sample tiles
    differ by at most one sample: 50 samples as 7 x 7 + 1 left one of two threads idle for
    a sixth of the time, as 2 x 7 + 6 x 6 neither."""
    per_row = max(1, rows * oW * itemsize)
    per_sample = per_row * R
    if per_sample >= TILE_BYTES:
        n_parts = -(-R // max(1, TILE_BYTES // per_row))
        nr = -(-R // n_parts)
        return [(n, 1, r0, min(nr, R - r0)) for n in range(N) for r0 in range(0, R, nr)]
    nb = max(1, min(N, TILE_BYTES // per_sample))
    if n_workers > 1:
        nb = max(1, min(nb, -(-N // (TILES_PER_WORKER * n_workers))))
    count = -(-N // nb)
    small, larger = divmod(N, count) if count else (0, 0)
    sizes = [small + 1] * larger + [small] * (count - larger)   # the larger tiles first
    starts = accumulate([0] + sizes[:-1])   # Python ints: np.cumsum cost more than the rest of the plan
    return [(n0, nbi, 0, R) for n0, nbi in zip(starts, sizes)]


def workers(total_elements):
    """(worker threads, whether to limit BLAS to one thread) for a convolution this size."""
    big = total_elements >= _parallel.MIN_ELEMENTS
    return (worker_count() if big else 1), big


def plan(x_shape, w5, stride3, pad3, dil3, groups, dtype, direct, R, oW, n_workers):
    """(rows, tiles, longest, buf_size, w_rows) of a convolution: whether it takes the row-offset path
    (_conv_rows.py), its tiles, the most output columns of one tile, the elements of a tile's col
    buffer, and the weight as row matrices on the row-offset path (else None)."""
    N, C = x_shape[:2]
    kd, kh, kw = w5.shape[2:]
    kvol = kd * kh * kw
    rows = not direct and _conv_rows.applies(x_shape, w5.shape, stride3, pad3, dil3, groups, dtype)
    tile_list = tiles(N, C * (_ROWS_TILE_FACTOR * kw if rows else kvol), R, oW, dtype.itemsize, n_workers)
    longest = max((nb * nr for _, nb, _, nr in tile_list), default=0) * oW
    buf_size = _conv_rows.col_size(C, kh, kw, oW, tile_list) if rows else 0 if direct else C * kvol * longest
    return rows, tile_list, longest, buf_size, _conv_rows.row_weights(w5) if rows else None
