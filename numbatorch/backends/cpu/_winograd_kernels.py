"""Numba tile transforms of the Winograd F(2x2, 3x3) convolution (see _winograd.py).

Tiles: output tile (ti, tj) covers output rows 2ti, 2ti+1 and columns 2tj, 2tj+1; it reads the 4x4 input
patch at rows 2ti - ph .. 2ti - ph + 3 and columns 2tj - pw .. 2tj - pw + 3 (zero outside the input, so
padding needs no padded copy).  A chunk is ``nrows`` consecutive tile rows of the batch, global tile row
g = n * tH + ti; its tiles are numbered p = (g - g0) * tW + tj.  A transformed buffer holds 16 planes,
entry 4 * i + j of the 4x4 transform of every (channel, tile): one (channels x P) matrix each, so the
products between transforms are 16 GEMMs.  The kernels see it as a C-contiguous (16, plane) array, channel
c's row at c * P.

Every transform is separable: a combination of columns, then of rows.  Each is written as loops that store
one stream and load one or two: a loop body storing all 16 entries at once stayed scalar
(LLVM gives up checking that many streams for overlap), these vectorise.  Input rows are first split into
zero-bordered even and odd columns (no bounds checks in the loops), so the column combinations read
contiguous elements.  Each kernel releases the GIL: convolutions run them on several Python threads at once.
"""
import numpy as np
from numba import njit, uint64

from . import _winograd_stand_ins
from ._tiered import Tiered


@njit(cache=True, nogil=True, error_model="numpy")
def _split_row(split, x, flat, c, n, h, pw, half):
    """Even and odd columns of input row h (inside x) of sample n, channel c:
    split[parity, t] = x[n, c, h, 2t + parity - pw] for t < half, zero outside x.  flat is x.reshape(-1), made
    once by the caller (a reshape per row cost more than the row's copy, and so did a zero-row branch here)."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    # columns t in [lo, hi) have both 2t - pw and 2t + 1 - pw inside x: copied without checks
    lo = min(max(-(-pw // 2), 0), half)
    hi = max(min((W + pw) // 2, half), lo)
    src = uint64(((n * C + c) * H + h) * W)
    for t in range(lo, hi):
        w = src + uint64(2 * t - pw)
        split[0, uint64(t)] = flat[w]
        split[1, uint64(t)] = flat[w + uint64(1)]
    for e in range(lo + half - hi):       # the columns left of lo and right of hi
        t = e if e < lo else hi + e - lo
        for parity in range(2):
            w = 2 * t + parity - pw
            split[parity, t] = x[n, c, h, w] if 0 <= w < W else 0


# A transform of the tiles, (rows read per tile, row combinations, column combinations): row combinations as
# (first row, op, second row), op 1: a + b, -1: a - b, 0: a (b unused), 2: -a; column combinations of the
# even/odd split rows as (parity, offset, op, parity, offset).  Both have one type, so transform_tiles compiles
# once for both (per dtype).
# B^T d B of each 4x4 input patch d:
INPUT_TRANSFORM = (4, ((0, -1, 2), (1, 1, 2), (2, -1, 1), (1, -1, 3)),
                   ((0, 0, -1, 0, 1), (1, 0, 1, 0, 1), (0, 1, -1, 1, 0), (1, 0, -1, 1, 1)))
# A y A^T of each 2x2 output-gradient tile y (zero past the output's edge; pass padding 0): the transform
# whose product with the input's gives the weight gradient.
GRADIENT_TRANSFORM = (2, ((0, 0, 0), (0, 1, 1), (0, -1, 1), (1, 2, 1)),
                      ((0, 0, 0, 0, 0), (0, 0, 1, 1, 0), (0, 0, -1, 1, 0), (1, 0, 2, 1, 0)))


def transform_scratch_size(nrows, tW):
    """Length of transform_tiles' ``cols`` scratch for chunks of up to nrows tile rows."""
    return 4 * 2 * 2 * nrows * tW


@njit(cache=True, nogil=True, error_model="numpy")
def transform_tiles(x, V, P, cols, split, g0, nrows, tH, tW, ph, pw, transform):
    """V[4i + j, c * P + p] = (row combination i of column combination j) of the patch of tile p of the chunk
    in channel c of x (N, C, H, W), for INPUT_TRANSFORM or GRADIENT_TRANSFORM: in_rows (4 or 2) rows of
    2 * half columns, tile rows 2 apart, where half = tW + 1 for 4x4 patches, tW for 2x2 ones.

    Columns first: each input row the chunk reads is split and combined once (rows 2 and 3 of a tile row are
    rows 0 and 1 of the next), into column combination j's block of cols at slot (its row's parity,
    (row - first row) // 2); the rows of a run of tile rows in one sample are then consecutive slots, so each
    of the 16 row combinations is one loop over the run's tiles.  The loops are written out here: through a
    helper taking the arrays as arguments they ran 3x slower (and 1.6x with a zero-row branch in _split_row).
    x may hold one sample that every tile row reads (sample n % N: a gradient broadcast over the batch).
    Scratch: cols (length transform_scratch_size(nrows, tW)), split (2, half)."""
    in_rows, row_comb, col_comb = transform
    N, C, H = x.shape[0], x.shape[1], x.shape[2]
    flat = x.reshape(-1)
    half = tW + in_rows // 2 - 1
    slots = 2 * nrows       # per parity: a run of k tile rows uses k + in_rows // 2 - 1 <= 2k slots
    block = 2 * slots * tW  # of one column combination
    for c in range(C):
        k0 = 0
        base = 0            # the run's first slot
        while k0 < nrows:
            n = (g0 + k0) // tH
            ti = g0 + k0 - n * tH
            k1 = min(nrows, k0 + tH - ti)       # the run: tile rows k0 .. k1 - 1, all of sample n
            for s in range(k1 - k0 + in_rows // 2 - 1):
                for parity in range(2):
                    h = 2 * (ti + s) + parity - ph
                    if 0 <= h < H:
                        _split_row(split, x, flat, c, n % N, h, pw, half)
                    else:
                        split[:, :half] = 0
                    for j in range(4):
                        pa, oa, op, pb, ob = col_comb[j]
                        d = uint64(j * block + (parity * slots + base + s) * tW)
                        if op == 1:
                            for t in range(tW):
                                cols[d + uint64(t)] = split[pa, uint64(t + oa)] + split[pb, uint64(t + ob)]
                        elif op == -1:
                            for t in range(tW):
                                cols[d + uint64(t)] = split[pa, uint64(t + oa)] - split[pb, uint64(t + ob)]
                        elif op == 0:
                            for t in range(tW):
                                cols[d + uint64(t)] = split[pa, uint64(t + oa)]
                        else:
                            for t in range(tW):
                                cols[d + uint64(t)] = -split[pa, uint64(t + oa)]
            L = (k1 - k0) * tW
            dst = uint64(c * P + k0 * tW)
            for i in range(4):
                ra, op, rb = row_comb[i]
                for j in range(4):
                    q = 4 * i + j
                    a = uint64(j * block + ((ra % 2) * slots + base + ra // 2) * tW)
                    b = uint64(j * block + ((rb % 2) * slots + base + rb // 2) * tW)
                    if op == 1:
                        for t in range(L):
                            V[q, dst + uint64(t)] = cols[a + uint64(t)] + cols[b + uint64(t)]
                    elif op == -1:
                        for t in range(L):
                            V[q, dst + uint64(t)] = cols[a + uint64(t)] - cols[b + uint64(t)]
                    elif op == 0:
                        for t in range(L):
                            V[q, dst + uint64(t)] = cols[a + uint64(t)]
                    else:
                        for t in range(L):
                            V[q, dst + uint64(t)] = -cols[a + uint64(t)]
            base += k1 - k0 + in_rows // 2 - 1
            k0 = k1


@njit(cache=True, nogil=True, error_model="numpy")
def _output_rows(out, co, s, bias, g0, nrows, tH, tW):
    """Output rows of the chunk, channel co, from the column sums s (8, nrows * tW) (rows 0-3 the tile's
    first output row, 4-7 its second): (s0 + s1 + s2, s1 - s2 - s3) + bias along the width, interleaved.
    Returns whether any of them is infinite or NaN."""
    oH, oW = out.shape[2], out.shape[3]
    full = oW // 2
    non_finite = False
    for k in range(nrows):
        g = g0 + k
        n = g // tH
        h = 2 * (g - n * tH)
        for half in range(2 if h + 1 < oH else 1):
            r = 4 * half
            src = uint64(k * tW)
            for t in range(full):
                q = src + uint64(t)
                w = uint64(2 * t)
                y0 = s[r, q] + s[r + 1, q] + s[r + 2, q] + bias
                y1 = s[r + 1, q] - s[r + 2, q] - s[r + 3, q] + bias
                out[n, co, h + half, w] = y0
                out[n, co, h + half, w + uint64(1)] = y1
                non_finite |= (y0 - y0 != 0) | (y1 - y1 != 0)      # y - y is NaN for inf and NaN
            if full < tW:
                q = src + uint64(full)
                y0 = s[r, q] + s[r + 1, q] + s[r + 2, q] + bias
                out[n, co, h + half, 2 * full] = y0
                non_finite |= y0 - y0 != 0
    return non_finite


@njit(cache=True, nogil=True, error_model="numpy")
def output_tiles(M, P, out, bias, sums, g0, nrows, tH, tW):
    """out's 2x2 output tiles of the chunk = A^T m A + bias[co], m = M[:, co * P + p].

    out is (N, Cout, oH, oW); a tile's second row or column past oH / oW is dropped.  Scratch: sums
    (8, nrows * tW).  Returns whether any output is infinite or NaN."""
    non_finite = False
    T = nrows * tW
    for co in range(out.shape[1]):
        base = uint64(co * P)
        # A^T down the columns: s_j = m_0j + m_1j + m_2j (sums[j]), t_j = m_1j - m_2j - m_3j (sums[4 + j]);
        # one stream stored per loop, so each vectorises
        for j in range(4):
            for t in range(T):
                q = base + uint64(t)
                sums[j, uint64(t)] = M[j, q] + M[4 + j, q] + M[8 + j, q]
            for t in range(T):
                q = base + uint64(t)
                sums[4 + j, uint64(t)] = M[4 + j, q] - M[8 + j, q] - M[12 + j, q]
        non_finite |= _output_rows(out, co, sums, bias[co], g0, nrows, tH, tW)
    return non_finite


@njit(cache=True, nogil=True, error_model="numpy")
def kernel_transform(w, G, U):
    """U[a * i + j, o, c] = (G g G^T)[i, j] for each 3x3 kernel g = w[o, c] and G (a, 3) (a = 4 for F(2x2, 3x3),
    6 for F(4x4, 3x3)), computed in float64.  Both steps loop over all kernels innermost, storing one
    contiguous stream: a kernel at a time (36 stores O * C apart) took 4x as long (113 us for 32 x 32 kernels,
    twice per forward and backward, on the caller's thread before the workers start).  w and U are C-contiguous."""
    K = w.shape[0] * w.shape[1]
    a = G.shape[0]
    g = w.reshape(K, 9)
    t = np.empty((a, 3, K))
    for i in range(a):
        for b in range(3):
            for k in range(K):
                t[i, b, k] = G[i, 0] * g[k, b] + G[i, 1] * g[k, 3 + b] + G[i, 2] * g[k, 6 + b]
    planes = U.reshape(a * a, K)
    for i in range(a):
        for j in range(a):
            for k in range(K):
                planes[a * i + j, k] = t[i, 0, k] * G[j, 0] + t[i, 1, k] * G[j, 1] + t[i, 2, k] * G[j, 2]


@njit(cache=True, nogil=True, error_model="numpy")
def kernel_gradient(dU, G, gw):
    """gw[o, c] = G^T d G for each (n x n) transform-domain gradient d = dU[:, o, c] (entry n * i + j) and G
    (n, 3), computed in float64: the gradient of kernel_transform.  Looped over all kernels innermost, as
    kernel_transform; dU and gw are C-contiguous."""
    K = gw.shape[0] * gw.shape[1]
    n = G.shape[0]
    d = dU.reshape(n * n, K)
    t = np.zeros((3, n, K))
    for a in range(3):
        for j in range(n):
            for i in range(n):
                for k in range(K):
                    t[a, j, k] += G[i, a] * d[n * i + j, k]
    out = gw.reshape(K, 9)
    s = np.empty(K)
    for a in range(3):
        for b in range(3):
            for k in range(K):
                s[k] = t[a, 0, k] * G[0, b]
            for j in range(1, n):
                for k in range(K):
                    s[k] += t[a, j, k] * G[j, b]
            for k in range(K):
                out[k, 3 * a + b] = s[k]


@njit(cache=True, nogil=True, error_model="numpy")
def plane_products(U, V, M, T):
    """The products of a chunk of T tiles: plane i of M (its first Cout * T values, a (Cout, T) matrix) =
    U[i] (Cout, C) @ plane i of V (C, T), for every plane of the (count, plane) V and M.

    One call, one release of the GIL for all of them: np.matmul over the planes on two threads at once (a
    convolution's workers) waited ~25 us a call beside each other's, 36 products of 32 x 32 x 136 taking ~80 us."""
    Cout, C = U.shape[1], U.shape[2]
    for i in range(U.shape[0]):
        np.dot(U[i], V[i, :C * T].reshape(C, T), M[i, :Cout * T].reshape(Cout, T))


@njit(cache=True, nogil=True, error_model="numpy")
def plane_products_nt(Z, V, out, T):
    """The weight gradient's products of a chunk of T tiles: out[i] (Cout, C) = plane i of Z (Cout, T) @ (plane i
    of V (C, T))^T, for every plane of the (count, plane) Z and V (see plane_products)."""
    Cout, C = out.shape[1], out.shape[2]
    for i in range(out.shape[0]):
        np.dot(Z[i, :Cout * T].reshape(Cout, T), V[i, :C * T].reshape(C, T).T, out[i])


# numpy stand-ins run while the builds are not cached (see _tiered.py): these four cost ~2.9 s CPU to compile
transform_tiles = Tiered(transform_tiles, _winograd_stand_ins.transform_tiles)
output_tiles = Tiered(output_tiles, _winograd_stand_ins.output_tiles)
kernel_transform = Tiered(kernel_transform, _winograd_stand_ins.kernel_transform)
kernel_gradient = Tiered(kernel_gradient, _winograd_stand_ins.kernel_gradient)
plane_products = Tiered(plane_products, _winograd_stand_ins.plane_products)
plane_products_nt = Tiered(plane_products_nt, _winograd_stand_ins.plane_products_nt)
