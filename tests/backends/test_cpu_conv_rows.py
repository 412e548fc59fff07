"""The row-offset convolution path (backends/cpu/_conv_rows.py) against torch.nn.functional."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _cblas, _conv_rows, _conv_tiles, _parallel, conv
from numbatorch.backends.cpu._shape import as5d, to3d
from numbatorch.nn.functional._shape_args import ntuple

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: 1e-10, np.float32: 1e-4}

CASES = [
    # N, Cin, Cout, spatial, kernel, padding
    (5, 32, 16, (15, 15), 5, 0),           # cifar2's conv2 shape, several samples per tile
    (2, 16, 8, (13, 17), (3, 5), (1, 2)),  # rectangular kernel, asymmetric padding
    (3, 64, 4, (9,), 3, 1),                # 1-d
]


def _run(x, w, b, p, mask):
    nd = w.ndim - 2
    one = ntuple(1, nd)
    y = conv.conv_forward(x, w, b, one, ntuple(p, nd), one, 1)
    gy = np.random.default_rng(1).standard_normal(y.shape).astype(x.dtype)
    return y, gy, conv.conv_backward(gy, x, w, one, ntuple(p, nd), one, 1, mask)


def _check(case, dtype, mask=(True, True, True), bias=True):
    N, C, Co, sz, k, p = case
    nd = len(sz)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C) + sz).astype(dtype)
    w = rng.standard_normal((Co, C) + ntuple(k, nd)).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype) if bias else None
    assert _conv_rows.applies(as5d(x, nd).shape, as5d(w, nd).shape, (1, 1, 1), to3d(ntuple(p, nd), 0), (1, 1, 1), 1,
                              x.dtype)
    y, gy, grads = _run(x, w, b, p, mask)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = (F.conv2d if nd == 2 else F.conv1d)(tx, tw, None if b is None else torch.tensor(b), padding=p)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=TOL[dtype], atol=TOL[dtype] * 10)
    for want, ours, ref in zip(mask[:2], grads[:2], (tx.grad, tw.grad)):
        assert (ours is None) != want
        if want:
            np.testing.assert_allclose(ours, ref.numpy(), rtol=TOL[dtype], atol=TOL[dtype] * 10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES)
def test_rows_path_matches_torch(case, dtype):
    _check(case, dtype)


@pytest.mark.parametrize("mask", [(True, False, False), (False, True, False)])
def test_rows_path_gradients_one_by_one(mask):
    _check(CASES[0], np.float64, mask, bias=False)


@pytest.mark.parametrize("tile_bytes", [30_000, 1 << 22])   # bands of output rows / several samples per tile
def test_rows_path_tiles_on_threads(tile_bytes, monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_conv_tiles, "TILE_BYTES", tile_bytes)
    monkeypatch.setattr(_conv_tiles, "worker_count", lambda: 3)
    _check((7, 16, 8, (20, 12), 5, 2), np.float64)


def test_im2col_path_without_cblas(monkeypatch):
    """Where no CBLAS gemm is found the same convolution takes the im2col path, with the same results up to
    round-off. Not the same bits: the row-offset path adds kh products of depth C * kw into the output
    (beta = 1), im2col makes one product of depth C * kh * kw, so the output's and the input gradient's sums
    run in another order."""
    N, C, Co, sz, k, p = CASES[0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C) + sz).astype(np.float32)
    w = rng.standard_normal((Co, C, k, k)).astype(np.float32)
    y_rows, gy, (gx_rows, _, _) = _run(x, w, None, p, (True, False, False))
    monkeypatch.setattr(_cblas, "_functions", None)
    monkeypatch.setattr(_cblas, "_searched", True)
    assert not _conv_rows.applies((5, 32, 1, 15, 15), (16, 32, 1, 5, 5), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1,
                                  np.float32)
    y, _, (gx, _, _) = _run(x, w, None, p, (True, False, False))
    np.testing.assert_allclose(y, y_rows, rtol=1e-5, atol=1e-5 * np.abs(y_rows).max())
    np.testing.assert_allclose(gx, gx_rows, rtol=1e-5, atol=1e-5 * np.abs(gx_rows).max())
    tx = torch.tensor(x, requires_grad=True)
    F.conv2d(tx, torch.tensor(w)).backward(torch.tensor(gy))
    np.testing.assert_allclose(y, F.conv2d(torch.tensor(x), torch.tensor(w)).numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_rows_path_weight_gradient_independent_of_thread_count(monkeypatch):
    """Under use_deterministic_algorithms the weight gradient has the same bits on 1 and 3 workers."""
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_conv_tiles, "TILE_BYTES", 40_000)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((12, 32, 11, 11)).astype(np.float32)
    w = rng.standard_normal((8, 32, 5, 5)).astype(np.float32)
    nt.use_deterministic_algorithms(True)
    try:
        results = []
        for workers in (1, 3):
            monkeypatch.setattr(_conv_tiles, "worker_count", lambda workers=workers: workers)
            results.append(_run(x, w, None, 2, (False, True, False))[2][1].tobytes())
    finally:
        nt.use_deterministic_algorithms(False)
    assert results[0] == results[1]


@pytest.mark.parametrize("N, Co", [(0, 8), (2, 0)])
def test_rows_path_empty_batch_or_no_output_channels(N, Co):
    """Empty operands (the backend's own edge; PyTorch's functional form rejects Co = 0): empty output,
    zero gradients of the right shapes."""
    x = np.random.default_rng(0).random((N, 32, 9, 9))
    w = np.random.default_rng(1).random((Co, 32, 5, 5))
    y, gy, (gx, gw, _) = _run(x, w, np.zeros(Co), 1, (True, True, False))
    assert y.shape == (N, Co, 7, 7) and gx.shape == x.shape and gw.shape == w.shape
    assert not gx.any() and not gw.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weight_rearrangements_kernels_equal_stand_ins_and_invert(dtype):
    from numbatorch.backends.cpu import _conv_rows_kernels as K
    w5 = np.random.default_rng(2).standard_normal((6, 4, 1, 3, 5)).astype(dtype)
    w4 = w5.reshape(6, 4, 3, 5)
    rows = [np.empty((3, 6, 4, 5), dtype) for _ in range(2)]
    K.rows_from_weight.kernel(w4, rows[0])
    K.rows_from_weight.stand_in(w4, rows[1])
    np.testing.assert_array_equal(rows[0], rows[1])
    np.testing.assert_array_equal(rows[0], np.moveaxis(w4, 2, 0))
    g4 = np.ascontiguousarray(rows[0].transpose(0, 2, 3, 1))  # (kh, C, kw, Cout), as the weight gradient's sum
    back = [np.empty_like(w4) for _ in range(2)]
    K.weight_from_row_grads.kernel(g4, back[0])
    K.weight_from_row_grads.stand_in(g4, back[1])
    np.testing.assert_array_equal(back[0], back[1])
    np.testing.assert_array_equal(back[0], w4)
    np.testing.assert_array_equal(_conv_rows.weight_from_rows(g4.reshape(3, 20, 6), w5.shape), w5)
    np.testing.assert_array_equal(_conv_rows.row_weights(w5), rows[0].reshape(3, 6, 20))
