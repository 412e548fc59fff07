"""Numpy stand-ins for the Winograd tile transforms of ``_winograd_kernels.py`` (see ``_tiered.py``).

Each takes its kernel's arguments and writes its kernel's results bit for bit: every output element gets the
kernel's additions, subtractions and products on the same values in the same order (products of float32 values
by the float64 transform matrices are taken in float64, as the kernels do). The kernels' scratch arguments are
left alone: only their results are the kernels'.
"""
import numpy as np

from ._numba_dot import check_product, dot
from ._tiered import Unsupported


def _combined(op, a, b):
    """a (op) b for the transforms' op: 1 a + b, -1 a - b, 0 a, 2 -a."""
    if op == 1:
        return a + b
    if op == -1:
        return a - b
    return a if op == 0 else -a


def _planes(flat, channels, P, count=16):
    """The (count, channels, P) view of a kernel's C-contiguous (count, plane) buffer."""
    if not flat.flags.c_contiguous:  # the reshaped view below would be a copy
        raise Unsupported
    return flat[:, :channels * P].reshape(count, channels, P)


def _bands(x, g0, nrows, tH, m, rows, cols, ph, pw):
    """The input that the chunk's tile rows read, zero outside x (N, C, H, W), as (C, nrows, rows, cols): for
    tile row g (tile ti of sample n), x[n % N, :, m * ti - ph + r, s - pw] at [:, g - g0, r, s] (x may hold one
    sample that every tile row reads, as the kernels allow)."""
    N, C, H, W = x.shape
    g = np.arange(g0, g0 + nrows)
    h = m * (g % tH)[:, None] - ph + np.arange(rows)         # (nrows, rows): input rows of each tile row
    w = np.arange(cols) - pw                                  # input columns from the chunk's first tile's
    inside = ((h >= 0) & (h < H))[:, :, None] & ((w >= 0) & (w < W))
    bands = x.transpose(1, 0, 2, 3)[:, (g // tH % N)[:, None, None], np.clip(h, 0, H - 1)[:, :, None],
                                    np.clip(w, 0, W - 1)]
    return np.where(inside, bands, x.dtype.type(0))


def _write_tile_rows(out, tiles, g0, nrows, tH):
    """out's rows of the chunk's tile rows from tiles (Cout, nrows, m, tW, m), each m x m output tile cut at
    out's edges, one sample's tile rows at once; whether a written element is infinite or NaN."""
    Cout, oH, oW = out.shape[1:]
    m, tW = tiles.shape[2], tiles.shape[3]
    non_finite = False
    k = 0
    while k < nrows:
        n, ti = divmod(g0 + k, tH)
        count = min(nrows - k, tH - ti)                       # tile rows of sample n in the chunk
        h0 = m * ti
        h1 = min(h0 + m * count, oH)
        block = tiles[:, k:k + count].reshape(Cout, m * count, m * tW)[:, :h1 - h0, :oW]
        out[n, :, h0:h1] = block
        non_finite |= not np.isfinite(block).all()
        k += count
    return non_finite


def transform_tiles(x, V, P, cols, split, g0, nrows, tH, tW, ph, pw, transform):
    """``_winograd_kernels.transform_tiles``: the tiles' patches gathered (zero outside x), then the column
    combinations and the row combinations on all channels and tiles at once."""
    in_rows, row_comb, col_comb = transform
    C = x.shape[1]
    planes = _planes(V, C, P)
    half = tW + in_rows // 2 - 1
    patches = _bands(x, g0, nrows, tH, 2, in_rows, 2 * half, ph, pw)     # (C, nrows, in_rows, 2 * half)
    T = nrows * tW
    for j, (pa, oa, op, pb, ob) in enumerate(col_comb):
        # entry t of parity p at offset o is column 2 * (t + o) + p of the tile row
        a = patches[..., 2 * oa + pa:2 * oa + pa + 2 * tW:2]
        b = patches[..., 2 * ob + pb:2 * ob + pb + 2 * tW:2]
        combined = _combined(op, a, b)                        # (C, nrows, in_rows, tW)
        for i, (ra, row_op, rb) in enumerate(row_comb):
            planes[4 * i + j, :, :T] = _combined(row_op, combined[:, :, ra], combined[:, :, rb]).reshape(C, T)


def output_tiles(M, P, out, bias, sums, g0, nrows, tH, tW):
    """``_winograd_kernels.output_tiles``: A^T m A + bias of every tile, then each sample's tile rows written
    at once; whether a written element is infinite or NaN."""
    Cout = out.shape[1]
    T = nrows * tW
    m = _planes(M, Cout, P)[:, :, :T]
    b = bias[:, None]
    tiles = np.empty((Cout, nrows, 2, tW, 2), dtype=out.dtype)
    with np.errstate(over="ignore", invalid="ignore"):   # as the kernel: non-finite results are returned as such
        first = m[0:4] + m[4:8] + m[8:12]                     # rows of the tiles' first output row
        second = m[4:8] - m[8:12] - m[12:16]                  # and of their second
        for r, s in enumerate((first, second)):
            tiles[:, :, r, :, 0] = (s[0] + s[1] + s[2] + b).reshape(Cout, nrows, tW)
            tiles[:, :, r, :, 1] = (s[1] - s[2] - s[3] + b).reshape(Cout, nrows, tW)
    return _write_tile_rows(out, tiles, g0, nrows, tH)


def kernel_transform(w, G, U):
    """``_winograd_kernels.kernel_transform``: G g, then (G g) G^T, each sum of three products in float64."""
    a = G.shape[0]
    g = w.astype(np.float64)
    t = [G[i, 0] * g[:, :, 0] + G[i, 1] * g[:, :, 1] + G[i, 2] * g[:, :, 2] for i in range(a)]   # (O, C, 3)
    for i in range(a):
        for j in range(a):
            U[a * i + j] = t[i][..., 0] * G[j, 0] + t[i][..., 1] * G[j, 1] + t[i][..., 2] * G[j, 2]


def kernel_gradient(dU, G, gw):
    """``_winograd_kernels.kernel_gradient``: G^T d summed from 0.0 in float64, then (G^T d) G."""
    n = G.shape[0]
    d = dU.astype(np.float64)
    t = np.zeros((3, n) + dU.shape[1:])
    for a in range(3):
        for i in range(n):
            t[a] += G[i, a] * d[n * i:n * i + n]
    for a in range(3):
        for b in range(3):
            s = t[a, 0] * G[0, b]
            for j in range(1, n):
                s = s + t[a, j] * G[j, b]
            gw[:, :, a, b] = s


def _plane_matrices(flat, rows, T):
    """The (rows, T) matrices at the start of each plane of a kernel's C-contiguous (count, plane) buffer."""
    if not flat.flags.c_contiguous:  # the reshaped views below would be copies
        raise Unsupported
    return [plane[:rows * T].reshape(rows, T) for plane in flat]


def plane_products(U, V, M, T):
    """``_winograd_kernels.plane_products``: the BLAS calls of the kernel's np.dot, plane by plane."""
    Cout, C = U.shape[1:]
    pairs = list(zip(_plane_matrices(V, C, T), _plane_matrices(M, Cout, T)))
    check_product(U[0], *pairs[0])
    for u, (v, m) in zip(U, pairs):
        dot(u, v, m)


def plane_products_nt(Z, V, out, T):
    """``_winograd_kernels.plane_products_nt``: the BLAS calls of the kernel's np.dot, plane by plane."""
    Cout, C = out.shape[1:]
    pairs = list(zip(_plane_matrices(Z, Cout, T), _plane_matrices(V, C, T)))
    check_product(pairs[0][0], pairs[0][1].T, out[0], transposed_b=True)
    for (z, v), o in zip(pairs, out):
        dot(z, v.T, o, transposed_b=True)
