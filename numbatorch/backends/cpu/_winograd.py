"""Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution: 3x3, stride 1, undilated, ungrouped 2-d convolutions in
2.25x (4x) fewer multiplications than im2col + GEMM.

Each 2x2 output tile is A^T [(G g G^T) * (B^T d B)] A for its 4x4 input patch d and the 3x3 kernel g
(Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015).  Over all channels the 16
elementwise products become 16 GEMMs per chunk of tiles, (Cout x C) @ (C x tiles): well-shaped BLAS
products, unlike the im2col tiles' 32-row ones.  The input gradient is the same convolution of the output
gradient with the flipped, transposed kernel; the weight gradient is G^T [sum over tiles of
(A dy A^T) (B^T d B)^T] G: 16 GEMMs with the tiles as their long inner dimension.  Outputs at least
F4_MIN_WIDTH wide run all three as F(4x4, 3x3) (_winograd4_kernels.py): 6x6 transforms, 36 GEMMs per 16
outputs.

Chunks (a few tile rows, transforms of about CHUNK_BYTES) run on the convolution's worker threads with
single-threaded BLAS, as the im2col path does (see conv.py and _conv_threads.py).  The chunk split depends
only on the shapes, never on the thread count, and the weight gradient sums chunks in a fixed tree: results
are the same bits for any number of threads.

An infinite input makes the transforms subtract infinities (NaN where the direct sum has +-inf), so a result
with an infinite or NaN element is not returned: the caller computes it the direct way, as PyTorch does.
"""
import itertools
from collections import namedtuple

import numpy as np

from ._conv_threads import OrderedSum, run_tasks, worker_count
from ._parallel import MIN_ELEMENTS
from ._winograd4_kernels import (gradient_scratch_size, gradient_tiles as gradient_tiles4, input_scratch_size,
                                 input_tiles as input_tiles4, output_tiles as output_tiles4)
from ._winograd_kernels import (GRADIENT_TRANSFORM, INPUT_TRANSFORM, kernel_gradient, kernel_transform,
                                output_tiles, plane_products, plane_products_nt, transform_scratch_size,
                                transform_tiles)

# Bytes of one chunk's transformed input plus product (or output gradient): the 16 GEMMs ran at
# ~150 GFLOP/s (OpenBLAS, float32, one thread) with 256-tile chunks of 32 channels (~1 MB), ~90 at 1024.
CHUNK_BYTES = 1 << 20
# Fewest tiles in a chunk (more than CHUNK_BYTES for many channels): the GEMMs' width; 32-64 tiles made
# (256 x 256) @ (256 x tiles) products 1.5x slower than im2col's.
MIN_CHUNK_TILES = 128
# Smallest input and output channel counts, and output width, that take this path.
MIN_CHANNELS = 16
MIN_WIDTH = 24

# Narrowest output (of the forward; of the input gradient: its input's width) computed as F(4x4, 3x3): 36 GEMMs
# per 16 outputs, 4x fewer multiplications than im2col (F(2x2, 3x3): 2.25x), but costlier transforms on short
# rows.  Forward alone, one thread, F(4x4) / F(2x2) CPU time: 0.79-0.90 at output width 64 (16-128 channels)
# and 0.86 at 128, 0.91-1.10 at 32 (64 / 32 channels), 1.23 at 24.
F4_MIN_WIDTH = 48

# Kernel transform matrices G: F(2x2, 3x3)'s (4x3) and F(4x4, 3x3)'s (6x3); B^T and A^T are in the kernels.
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
_G4 = np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
                [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]])
# the constants of F(4x4, 3x3)'s B^T and A^T, in the data's dtype (see _winograd4_kernels.py)
_COEFFICIENTS = (2, 4, 5, 8)

__all__ = ["winograd_applies", "winograd_conv2d", "winograd_conv2d_backward"]


def winograd_applies(x_shape, w_shape, stride, padding, dilation, groups):
    """Whether a convolution of x_shape by w_shape (normalised arguments) takes the Winograd path."""
    if len(w_shape) != 4 or tuple(w_shape[2:]) != (3, 3) or groups != 1:
        return False
    if tuple(stride) != (1, 1) or tuple(dilation) != (1, 1):
        return False
    N, C, H, W = x_shape
    oH, oW = H + 2 * padding[0] - 2, W + 2 * padding[1] - 2
    return (min(C, w_shape[0]) >= MIN_CHANNELS and oW >= MIN_WIDTH and oH >= 2
            and N * C * H * W >= MIN_ELEMENTS)


def _kernel_transform(weight, G):
    """U = G g G^T of each (out, in) kernel, as (a * a, Cout, C) for G (a, 3)."""
    U = np.empty((G.shape[0] ** 2,) + weight.shape[:2], dtype=weight.dtype)
    kernel_transform(np.ascontiguousarray(weight), G, U)
    return U


def _chunks(N, tH, tW, channels, itemsize, count):
    """(first tile row, tile rows) of each chunk: ``count`` transform planes of about CHUNK_BYTES, whole tile
    rows (of one sample or several)."""
    total = N * tH
    rows = max(-(-MIN_CHUNK_TILES // tW), CHUNK_BYTES // (count * channels * tW * itemsize))
    rows = min(rows, total)
    return [(g0, min(rows, total - g0)) for g0 in range(0, total, rows)]


def _planes(rows, P, dtype, count):
    """Scratch for ``count`` matrices of up to (rows x P): a C-contiguous (count, plane) array, whose chunk of T
    tiles fills each plane's first rows * T values (a C-contiguous (rows, T) matrix).  Planes start an odd number
    of cache lines apart: planes a power of two apart (e.g. 32 x 256 floats) fell into the same L1 sets, and the
    transforms' 16 streams ran 5x slower."""
    plane = (-(-rows * P * dtype.itemsize // 128) * 128 + 64) // dtype.itemsize
    return np.empty((count, plane), dtype=dtype)


def _transform_scratch(rows, tW, half, dtype):
    """transform_tiles' scratch on chunks of ``rows`` tile rows, rows split into ``half`` columns each:
    tW + 1 for INPUT_TRANSFORM, tW for GRADIENT_TRANSFORM."""
    return np.empty(transform_scratch_size(rows, tW), dtype=dtype), np.empty((2, half), dtype=dtype)


def _tiling(N, C, Cout, oH, oW, itemsize):
    """(m, tH, tW, count, chunks) of a convolution of C into Cout channels with an oH x oW output: F(m x m, 3x3)
    (m = 4 from F4_MIN_WIDTH wide), tH x tW tiles a sample, count = (m + 2)^2 transform planes, the chunks."""
    m = 4 if oW >= F4_MIN_WIDTH else 2
    tH, tW = -(-oH // m), -(-oW // m)
    count = (m + 2) ** 2
    return m, tH, tW, count, _chunks(N, tH, tW, C + Cout, itemsize, count)


def _contiguous(a):
    """a as a C-contiguous array; a strided one (such as a sliced input) is copied one sample per task on the
    worker threads: the copy of an 8 MB array on the caller's thread alone took ~2 ms."""
    if a.flags.c_contiguous:
        return a
    out = np.empty(a.shape, dtype=a.dtype)

    def copy_sample(state, n):
        out[n] = a[n]

    run_tasks(copy_sample, a.shape[0], tuple, worker_count(), single_threaded_blas=False)
    return out


def _batch_shared(a):
    """a (N, C, H, W) as the transforms read it: a copy of its first sample alone (1, C, H, W) when every sample
    is the same view (a zero batch stride: the broadcast gradient of a sum or mean, an expanded input), which the
    transforms read for every sample (the 8 MB broadcast gradient of a 16x32x64x64 output was copied for 0.55 ms
    at two threads); else C-contiguous (_contiguous).  The sample is copied even where it is contiguous: such a
    view is read-only, which the kernels' builds are not for (another Numba signature to compile)."""
    if a.strides[0] == 0:
        return a[:1].copy()
    return _contiguous(a)


# One pass over a convolution's chunks: run_chunk(state, i) for i < count, each worker's state from make_state(),
# then result() (None when an element of the result is not finite).
_Pass = namedtuple("_Pass", ["count", "make_state", "run_chunk", "result"])


def _run_passes(passes):
    """Every chunk of ``passes``, in order, as one run of the convolution's worker threads (one-thread BLAS): one
    wake-up of the helpers and one tail for all, where the input and weight gradients run apart paid ~0.1-0.2 ms
    of wake-up and up to a chunk's tail each.  A worker makes its state for a pass when it first takes one of
    that pass's chunks, dropping its states of the earlier passes."""
    # the products' BLAS (SciPy's, which Numba's np.dot calls) loaded before the hold, so it is held too
    import scipy.linalg.cython_blas  # noqa: F401
    starts = list(itertools.accumulate((p.count for p in passes), initial=0))

    def run_task(states, i):
        k = 0
        while i >= starts[k + 1]:
            k += 1
        if states[k] is None:
            # chunks are taken in order: free the earlier passes' buffers for this one's (memory already mapped)
            states[:k] = [None] * k
            states[k] = passes[k].make_state()
        passes[k].run_chunk(states[k], i - starts[k])

    run_tasks(run_task, starts[-1], lambda: [None] * len(passes), worker_count())


def _tile_stages(x, out, bias, ph, pw, m, tH, tW, rows):
    """(tiles per tile row in the transforms, kernel matrix G, scratch(), transform(V, scratch, g0, nrows, T),
    finish(M, scratch, g0, nrows, T)) of the forward's F(m x m, 3x3) chunks of up to ``rows`` tile rows, T
    tiles each; finish returns whether an output is infinite or NaN.  F(4x4, 3x3) adds a spare tile to each
    tile row."""
    if m == 4:
        P = rows * (tW + 1)
        coef = np.array(_COEFFICIENTS, dtype=x.dtype)
        return (tW + 1, _G4,
                lambda: (np.empty(input_scratch_size(P), dtype=x.dtype), np.empty(24 * P, dtype=x.dtype)),
                lambda V, scratch, g0, nrows, T: input_tiles4(x, V, T, scratch[0], coef, g0, nrows, tH, tW, ph, pw),
                lambda M, scratch, g0, nrows, T: output_tiles4(M, T, out, bias, scratch[1], coef, g0, nrows, tH,
                                                               tW))
    P = rows * tW
    return (tW, _G,
            lambda: (_transform_scratch(rows, tW, tW + 1, x.dtype), np.empty((8, P), dtype=x.dtype)),
            lambda V, scratch, g0, nrows, T: transform_tiles(x, V, T, *scratch[0], g0, nrows, tH, tW, ph, pw,
                                                             INPUT_TRANSFORM),
            lambda M, scratch, g0, nrows, T: output_tiles(M, T, out, bias, scratch[1], g0, nrows, tH, tW))


def _forward(x, weight, bias, ph, pw, N):
    """The _Pass of the Winograd convolution of x (N, C, H, W), or of one sample (1, C, H, W) standing for all N
    (C-contiguous: _batch_shared), by the 3x3 weight (Cout, C, 3, 3), padding (ph, pw) (either may be negative:
    a crop); its result is (N, Cout, oH, oW), or None when an element of it is not finite."""
    C, H, W = x.shape[1:]
    Cout = weight.shape[0]
    oH, oW = H + 2 * ph - 2, W + 2 * pw - 2
    m, tH, tW, count, chunks = _tiling(N, C, Cout, oH, oW, x.itemsize)
    out = np.empty((N, Cout, oH, oW), dtype=x.dtype)
    bias = np.zeros(Cout, dtype=x.dtype) if bias is None else np.ascontiguousarray(bias, dtype=x.dtype)
    per_row, G, scratch, transform, finish = _tile_stages(x, out, bias, ph, pw, m, tH, tW, chunks[0][1])
    P = chunks[0][1] * per_row
    U = _kernel_transform(weight, G)
    non_finite = []

    def make_state():
        return _planes(C, P, x.dtype, count), _planes(Cout, P, x.dtype, count), scratch()

    def run_chunk(state, i):
        V, M, scratch = state
        g0, nrows = chunks[i]
        T = nrows * per_row
        transform(V, scratch, g0, nrows, T)
        plane_products(U, V, M, T)
        if finish(M, scratch, g0, nrows, T):
            non_finite.append(i)

    return _Pass(len(chunks), make_state, run_chunk, lambda: None if non_finite else out)


def winograd_conv2d(x, weight, bias, padding):
    """Convolution of x (N, C, H, W) by a 3x3 weight (Cout, C, 3, 3), stride 1, plus bias (Cout,) or None;
    None when the result has an infinite or NaN element (compute it the direct way)."""
    forward = _forward(_batch_shared(x), weight, bias, padding[0], padding[1], x.shape[0])
    _run_passes([forward])
    return forward.result()


def _gradient_stages(x, gy, ph, pw, m, tH, tW, rows):
    """(tiles per tile row, kernel matrix G, scratch(), transforms(V, Z, scratch, g0, nrows, T)) of the weight
    gradient's F(m x m, 3x3) chunks of up to ``rows`` tile rows, T tiles each: x's tiles into V, gy's into Z."""
    if m == 4:
        P = rows * (tW + 1)
        coef = np.array(_COEFFICIENTS, dtype=x.dtype)

        def transforms4(V, Z, scratch, g0, nrows, T):
            input_tiles4(x, V, T, scratch[0], coef, g0, nrows, tH, tW, ph, pw)
            gradient_tiles4(gy, Z, T, scratch[1], coef, g0, nrows, tH, tW)
        return (tW + 1, _G4, lambda: (np.empty(input_scratch_size(P), dtype=x.dtype),
                                      np.empty(gradient_scratch_size(P), dtype=x.dtype)), transforms4)
    P = rows * tW

    def transforms2(V, Z, scratch, g0, nrows, T):
        transform_tiles(x, V, T, *scratch[0], g0, nrows, tH, tW, ph, pw, INPUT_TRANSFORM)
        transform_tiles(gy, Z, T, *scratch[1], g0, nrows, tH, tW, 0, 0, GRADIENT_TRANSFORM)
    return (tW, _G, lambda: (_transform_scratch(rows, tW, tW + 1, x.dtype), _transform_scratch(rows, tW, tW, x.dtype)),
            transforms2)


def _weight_gradient(gy, x, ph, pw, need_gb, N):
    """The _Pass whose result is (gradient of the 3x3 weight (Cout, C, 3, 3), of the bias (Cout,) or None unless
    need_gb) from gy (N, Cout, oH, oW) and x (N, C, H, W), either of them possibly one sample standing for all N
    (both C-contiguous: _batch_shared); None when one has an infinite or NaN element.

    The bias gradient is read off gy's transform: row 1 of A is all ones, so plane (m + 3) of
    A y A^T is the sum of each m x m tile (zero past the edges and in the spare tiles).  Summed per chunk on
    the workers and added in the chunks' tree with their products, it replaced a serial numpy sum over gy
    (0.6-0.8 ms less CPU per backward of a 16x32x64x64 gy)."""
    C = x.shape[1]
    Cout, oH, oW = gy.shape[1:]
    m, tH, tW, count, chunks = _tiling(N, C, Cout, oH, oW, x.itemsize)
    per_row, G, scratch, transforms = _gradient_stages(x, gy, ph, pw, m, tH, tW, chunks[0][1])
    P = chunks[0][1] * per_row
    products = count * Cout * C
    total = OrderedSum(len(chunks))

    def make_state():
        return _planes(C, P, x.dtype, count), _planes(Cout, P, x.dtype, count), scratch()

    def run_chunk(state, i):
        V, Z, scratch = state
        g0, nrows = chunks[i]
        T = nrows * per_row
        transforms(V, Z, scratch, g0, nrows, T)
        part = np.empty(products + (Cout if need_gb else 0), dtype=x.dtype)
        plane_products_nt(Z, V, part[:products].reshape(count, Cout, C), T)
        if need_gb:
            with np.errstate(invalid="ignore"):     # infinite inputs: detected below
                Z[m + 3, :Cout * T].reshape(Cout, T).sum(axis=1, out=part[products:])
        total.add(i, part)

    def result():
        if not np.isfinite(total.total).all():
            return None
        gw = np.empty((Cout, C, 3, 3), dtype=x.dtype)
        kernel_gradient(total.total[:products].reshape(count, Cout, C), G, gw)
        return gw, (total.total[products:] if need_gb else None)

    return _Pass(len(chunks), make_state, run_chunk, result)


def winograd_conv2d_backward(gy, x, weight, padding, need_gx, need_gw, need_gb=False):
    """(grad_input, grad_weight, grad_bias) of winograd_conv2d (None where not needed; grad_bias is computed
    only beside grad_weight, None otherwise), or None when one of them has an infinite or NaN element
    (compute them the direct way)."""
    if not (need_gx or need_gw):
        return None, None, None     # grad_bias alone: no pass to run (nor gy to copy)
    ph, pw = padding
    N = x.shape[0]
    gy = _batch_shared(gy)    # both passes read it: one copy of a strided gy, not one per pass
    passes = []
    if need_gx:
        # x's gradient is gy convolved with the flipped kernel, in and out channels swapped
        flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
        passes.append(_forward(gy, flipped, None, 2 - ph, 2 - pw, N))
    if need_gw:
        passes.append(_weight_gradient(gy, _batch_shared(x), ph, pw, need_gb, N))
    _run_passes(passes)
    results = [p.result() for p in passes]
    if any(r is None for r in results):
        return None
    gx = results[0] if need_gx else None
    gw, gb = results[-1] if need_gw else (None, None)
    return gx, gw, gb
