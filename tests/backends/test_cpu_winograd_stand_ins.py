"""The Winograd kernels' numpy stand-ins give their kernels' bits: through the convolution (forward, input and
weight gradients, F(2x2, 3x3) and F(4x4, 3x3)) and, for the non-finite flag, on one output chunk."""
import numpy as np
import pytest

from numbatorch.backends.cpu import (_tiered, _winograd, _winograd4_kernels, _winograd4_stand_ins, _winograd_kernels,
                                     _winograd_stand_ins, conv)

KERNELS = [(_winograd_kernels, name) for name in ("transform_tiles", "output_tiles", "kernel_transform",
                                                  "kernel_gradient", "plane_products", "plane_products_nt")]
KERNELS += [(_winograd4_kernels, name) for name in ("input_tiles", "output_tiles", "gradient_tiles")]

CASES = [
    # N, Cin, Cout, (H, W), padding
    (2, 16, 16, (32, 32), 1),
    (2, 17, 19, (33, 30), 0),        # odd height: the last tile row's second output row is dropped
    (1, 20, 18, (41, 45), 2),        # odd width: the last tile column's second output column is dropped
    (8, 16, 16, (7, 48), 1),         # chunks span several samples, the first ends inside one
    (3, 16, 16, (26, 27), (3, 0)),   # padding wider than the kernel: the input gradient crops
]


def _conv_results(x, w, b, gy, pad):
    y = conv.conv_forward(x, w, b, (1, 1), pad, (1, 1), 1)
    gx, gw, _ = conv.conv_backward(gy, x, w, (1, 1), pad, (1, 1), 1, (True, True, False))
    return y, gx, gw


def _stand_ins_only(monkeypatch):
    """Every Winograd kernel's build counts as uncached with an unlimited stand-in budget; returns the kernels."""
    def not_cached(*args):
        raise _tiered.NotCached

    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1e9)
    tiered = [getattr(module, name) for module, name in KERNELS]
    for kernel in tiered:
        monkeypatch.setattr(kernel, "kernel", not_cached)
        for name, value in (("stand_in_calls", 0), ("stand_in_seconds", 0.0), ("_cold", set())):
            monkeypatch.setattr(kernel, name, value)
    return tiered


@pytest.mark.parametrize("tile", [2, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_winograd_conv_gives_the_same_bits_on_stand_ins(case, dtype, tile, monkeypatch):
    # the forward and both gradients as F(tile x tile, 3x3) whatever the output's width
    monkeypatch.setattr(_winograd, "F4_MIN_WIDTH", 0 if tile == 4 else 1 << 30)
    N, C, Co, size, p = case
    pad = (p, p) if isinstance(p, int) else p
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C) + size).astype(dtype)
    x[0, 0, 0, :3] = -0.0
    w = rng.standard_normal((Co, C, 3, 3)).astype(dtype)
    w[0, 0] = -0.0
    b = rng.standard_normal(Co).astype(dtype)
    assert _winograd.winograd_applies(x.shape, w.shape, (1, 1), pad, (1, 1), 1)
    oH, oW = size[0] + 2 * pad[0] - 2, size[1] + 2 * pad[1] - 2
    gy = rng.standard_normal((N, Co, oH, oW)).astype(dtype)
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 0.0)
    compiled = _conv_results(x, w, b, gy, pad)
    tiered = _stand_ins_only(monkeypatch)
    numpy_only = _conv_results(x, w, b, gy, pad)
    unused = ((_winograd_kernels.transform_tiles, _winograd_kernels.output_tiles) if tile == 4
              else (_winograd4_kernels.input_tiles, _winograd4_kernels.output_tiles, _winograd4_kernels.gradient_tiles))
    assert all(kernel.stand_in_calls for kernel in tiered if kernel not in unused)
    for ours, theirs in zip(compiled, numpy_only):
        assert ours.dtype == theirs.dtype == dtype
        np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


@pytest.mark.parametrize("tile", [2, 4])
def test_batch_broadcast_gradient_gives_the_same_bits_on_stand_ins(tile, monkeypatch):
    # a gradient broadcast over the batch reaches the transforms as one sample read for every tile row
    monkeypatch.setattr(_winograd, "F4_MIN_WIDTH", 0 if tile == 4 else 1 << 30)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 16, 7, 48)).astype(np.float32)    # chunks span several samples
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    gy = np.broadcast_to(rng.standard_normal((1, 16, 7, 48)).astype(np.float32), (8, 16, 7, 48))
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 0.0)
    compiled = _conv_results(x, w, None, gy, (1, 1))
    _stand_ins_only(monkeypatch)
    for ours, theirs in zip(compiled, _conv_results(x, w, None, gy, (1, 1))):
        np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


@pytest.mark.parametrize("bad", [np.inf, np.nan, None])
def test_output_tiles_stand_in_flags_non_finite_outputs_as_the_kernel(bad):
    # tiles past the output's edge are computed by neither, so a non-finite value there is not flagged
    rng = np.random.default_rng(1)
    N, Cout, oH, oW, tH, tW, P = 2, 3, 5, 7, 3, 4, 16
    M = rng.standard_normal((16, Cout * P + 5)).astype(np.float32)
    M[3, 2 * P + 7] = M[12, 2 * P + 6] = np.inf        # only in a dropped column, a dropped row
    if bad is not None:
        M[7, P + 9] = bad
    bias = rng.standard_normal(Cout).astype(np.float32)
    results = []
    for output_tiles in (_winograd_kernels.output_tiles.kernel, _winograd_stand_ins.output_tiles):
        out = np.zeros((N, Cout, oH, oW), np.float32)
        flagged = output_tiles(M, P, out, bias, np.empty((8, P), np.float32), 1, 3, tH, tW)
        results.append((bool(flagged), out))
    (flag_kernel, out_kernel), (flag_stand_in, out_stand_in) = results
    assert flag_kernel == flag_stand_in == (bad is not None)
    np.testing.assert_array_equal(out_kernel.view(np.uint8), out_stand_in.view(np.uint8))


@pytest.mark.parametrize("bad", [np.inf, np.nan, None])
def test_f4_output_tiles_stand_in_flags_non_finite_outputs_as_the_kernel(bad):
    # F(4x4, 3x3): plane 5 reaches only a tile's last column, plane 30 only its last row
    rng = np.random.default_rng(1)
    N, Cout, oH, oW, tH, tW, P = 2, 3, 7, 10, 2, 3, 12
    M = rng.standard_normal((36, Cout * P + 5)).astype(np.float32)
    M[5, 2 * P + 2] = M[30, 2 * P + 1] = np.inf        # only in a dropped column, a dropped row
    if bad is not None:
        M[7, P + 4] = bad
    bias = rng.standard_normal(Cout).astype(np.float32)
    coef = np.array(_winograd._COEFFICIENTS, np.float32)
    results = []
    for output_tiles in (_winograd4_kernels.output_tiles.kernel, _winograd4_stand_ins.output_tiles):
        out = np.zeros((N, Cout, oH, oW), np.float32)
        flagged = output_tiles(M, P, out, bias, np.empty(24 * P, np.float32), coef, 1, 3, tH, tW)
        results.append((bool(flagged), out))
    (flag_kernel, out_kernel), (flag_stand_in, out_stand_in) = results
    assert flag_kernel == flag_stand_in == (bad is not None)
    np.testing.assert_array_equal(out_kernel.view(np.uint8), out_stand_in.view(np.uint8))
