"""The recurrent kernels' numpy stand-ins give their kernels' bits (forward and backward, layers and cells, every
mode and float dtype, packed lengths, reverse, projection, one-row products, saturated and non-finite gates),
and their declining (nothing written) where SciPy's BLAS cannot be bound."""
import sys

import numpy as np
import pytest

from numbatorch.backends.cpu import _numba_dot, _rnn_gru, _rnn_lstm, _rnn_simple
from numbatorch.backends.cpu._tiered import Unsupported

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


def _inputs(rng, dtype, T, B, I, G, H, scale):
    """xw (T, B, G*H) spread over ``scale`` with signed zeros, huge and non-finite values in the first steps."""
    xw = (rng.standard_normal((T, B, G * H)) * scale).astype(dtype)
    xw[0, 0, :4] = (-0.0, 0.0, 1e30, -1e30)
    if T > 1:
        xw[1, -1, :3] = (np.nan, np.inf, -np.inf)
    return xw


def _arrays(rng, dtype, *shapes, scale=0.5):
    return [(rng.standard_normal(shape) * scale).astype(dtype) for shape in shapes]


def _layer_args(mode, dtype, T, B, H, proj, lengths, reverse, scale):
    rng = np.random.default_rng(len(mode) + 10 * T + B + H + proj)
    G = GATES[mode]
    H_out = proj or H
    xw = _inputs(rng, dtype, T, B, 4, G, H, scale)
    w_hh_t, bias, h = _arrays(rng, dtype, (H_out, G * H), (G * H,), (B, H_out))
    lengths = np.full(B, T, np.int64) if lengths is None else np.array(lengths, np.int64)
    h_prev = np.empty((T, B, H_out), dtype)
    out = np.empty((T, B, H_out), dtype)
    hw = np.empty((B, G * H), dtype)
    if mode == "lstm":
        c, w_hr_t = _arrays(rng, dtype, (B, H), (H, proj) if proj else (0, 0))
        m = np.empty((T, B, H) if proj else (0, 0, 0), dtype)
        h_proj = np.empty((B, H_out) if proj else (0, 0), dtype)
        return (_rnn_lstm.lstm_forward.serial,
                (xw, bias, w_hh_t, w_hr_t, bool(proj), lengths, reverse, h, c, out,
                 np.empty((T, B, G * H), dtype), h_prev, np.empty((T, B, H), dtype), np.empty((T, B, H), dtype),
                 m, hw, h_proj))
    if mode == "gru":
        (b_hh,) = _arrays(rng, dtype, (G * H,))
        return (_rnn_gru.gru_forward.serial,
                (xw, bias, w_hh_t, b_hh, lengths, reverse, h, out, np.empty((T, B, G * H), dtype),
                 np.empty((T, B, H), dtype), h_prev, hw))
    return _rnn_simple.rnn_forward.serial, (xw, w_hh_t, mode == "rnn_relu", lengths, reverse, h, out, h_prev, hw)


def _run_both(tiered, args):
    """(kernel's arrays, stand-in's arrays) after each ran on its own copy of ``args``."""
    results = []
    for run in (tiered.kernel, tiered.stand_in):
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        run(*copies)
        results.append([a for a in copies if isinstance(a, np.ndarray)])
    return results


def _assert_same_bits(kernel_arrays, stand_in_arrays):
    """Bit for bit, signed zeros included; a NaN's sign and payload are no result (x86 passes on one operand's
    NaN, and LLVM may swap the operands of a commutative operation), so NaNs are compared as NaNs."""
    for ours, theirs in zip(kernel_arrays, stand_in_arrays):
        if ours.dtype.kind == "f":
            ours, theirs = (np.where(np.isnan(a), np.nan, a).astype(a.dtype) for a in (ours, theirs))
        np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("case", [
    # T, B, H, proj, lengths, reverse, scale
    (6, 3, 13, 0, None, False, 0.02),       # the tanh's Taylor branch
    (5, 4, 8, 0, None, True, 3.0),
    (7, 3, 6, 0, (7, 2, 0), False, 40.0),   # packed, a length-0 row; saturated gates
    (7, 3, 6, 0, (3, 7, 5), True, 1.0),
    (4, 1, 5, 0, None, False, 1.0),         # one row: Numba's product is a gemv
])
def test_layer_stand_ins_give_the_kernels_bits(mode, dtype, case):
    T, B, H, proj, lengths, reverse, scale = case
    tiered, args = _layer_args(mode, dtype, T, B, H, proj, lengths, reverse, scale)
    _assert_same_bits(*_run_both(tiered, args))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lengths", [None, (5, 2, 4)])
def test_lstm_projection_stand_in_gives_the_kernels_bits(dtype, lengths):
    tiered, args = _layer_args("lstm", dtype, 5, 3, 7, 4, lengths, False, 1.0)
    _assert_same_bits(*_run_both(tiered, args))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("B, H, scale", [(5, 11, 1.0), (3, 9, 0.02), (4, 6, 40.0)])
def test_cell_stand_ins_give_the_kernels_bits(mode, dtype, B, H, scale):
    rng = np.random.default_rng(B + H)
    G = GATES[mode]
    xw = _inputs(rng, dtype, 2, B, 1, G, H, scale)[1:]  # (1, B, G*H), with the non-finite values
    hw, h, c, b_hh = _arrays(rng, dtype, (B, G * H), (B, H), (B, H), (G * H,), scale=scale)
    if mode == "lstm":
        tiered = _rnn_lstm.lstm_cell_forward
        args = (xw, hw, h, c, h.reshape(1, B, H), np.empty((1, B, G * H), dtype), np.empty((1, B, H), dtype))
    elif mode == "gru":
        tiered = _rnn_gru.gru_cell_forward
        args = (xw, hw, b_hh, h, h.reshape(1, B, H), np.empty((1, B, G * H), dtype), np.empty((1, B, H), dtype))
    else:
        tiered, args = _rnn_simple.rnn_cell_forward, (xw, hw, mode == "rnn_relu", h)
    _assert_same_bits(*_run_both(tiered, args))


def test_stand_in_products_call_the_kernels_blas():
    # SciPy's OpenBLAS (Numba's) and numpy's may differ in the last bit: compare with a Numba np.dot itself
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        for m, k, n in ((97, 51, 204), (1, 33, 40), (40, 33, 1), (8, 32, 128)):
            a, b = _arrays(rng, dtype, (m, k), (k, n))
            ours, theirs = np.empty((m, n), dtype), np.empty((m, n), dtype)
            _dot_in_a_kernel(a, b, ours)
            _numba_dot.dot(a, b, theirs)
            np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


def _dot_in_a_kernel(a, b, out):
    from numba import njit
    njit(lambda a, b, out: np.dot(a, b, out))(a, b, out)


class _NoCapsules:
    __pyx_capi__ = {}


@pytest.mark.parametrize("cython_blas", [None, _NoCapsules], ids=["no module", "no symbol"])
@pytest.mark.parametrize("mode, B, proj", [("lstm", 3, 4), ("gru", 3, 0), ("rnn_tanh", 1, 0)])
def test_layer_stand_ins_decline_without_scipys_blas(mode, B, proj, cython_blas, monkeypatch):
    # Unsupported before anything is written: the tiered kernel then runs the kernel on untouched arguments
    monkeypatch.setitem(sys.modules, "scipy.linalg.cython_blas", cython_blas)
    monkeypatch.setattr(_numba_dot, "_blas", {})
    tiered, args = _layer_args(mode, np.float32, 4, B, 5, proj, None, False, 1.0)
    before = [a.copy() for a in args if isinstance(a, np.ndarray)]
    with pytest.raises(Unsupported):
        tiered.stand_in(*args)
    after = [a for a in args if isinstance(a, np.ndarray)]
    for ours, theirs in zip(before, after):
        np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


def _layer_outputs(nt, mode, dtype, packed):
    """Outputs and every gradient of a 2-layer bidirectional recurrent layer (an LSTM with projection when
    ``packed``) and of a cell, on fixed inputs."""
    nt.manual_seed(0)
    kind = {"lstm": nt.nn.LSTM, "gru": nt.nn.GRU, "rnn": nt.nn.RNN}[mode]
    cell = {"lstm": nt.nn.LSTMCell, "gru": nt.nn.GRUCell, "rnn": nt.nn.RNNCell}[mode](5, 7).to(dtype)
    extra = dict(proj_size=4) if packed and mode == "lstm" else {}
    layer = kind(5, 7, num_layers=2, bidirectional=True, batch_first=True, **extra).to(dtype)
    x = nt.randn(3, 6, 5, dtype=dtype, requires_grad=True)
    if packed:
        y = layer(nt.nn.utils.rnn.pack_padded_sequence(x, [6, 2, 4], batch_first=True, enforce_sorted=False))[0]
        y = nt.nn.utils.rnn.pad_packed_sequence(y, batch_first=True)[0]
    else:
        y = layer(x)[0]
    state = cell(x[:, 0])
    y_cell = state[0] if mode == "lstm" else state
    ((y * nt.randn(y.shape, dtype=dtype)).sum() + (y_cell * nt.randn(y_cell.shape, dtype=dtype)).sum()).backward()
    return [y.detach().numpy(), y_cell.detach().numpy(), x.grad.numpy()] + [
        p.grad.numpy() for p in list(layer.parameters()) + list(cell.parameters())]


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn"])
def test_layers_give_the_same_bits_on_stand_ins(mode, dtype, packed, monkeypatch):
    import numbatorch as nt
    from numbatorch.backends.cpu import _tiered

    def not_cached(*args):
        raise _tiered.NotCached

    dtype = getattr(nt, dtype)
    compiled = _layer_outputs(nt, mode, dtype, packed)
    monkeypatch.setattr(_tiered, "STAND_IN_SECONDS", 1e9)
    family = {"lstm": _rnn_lstm, "gru": _rnn_gru, "rnn": _rnn_simple}[mode]
    tiered = [getattr(family, mode + name) for name in ("_cell_forward", "_cell_backward")]
    tiered += [getattr(family, mode + name).serial for name in ("_forward", "_backward")]
    for kernel in tiered:
        monkeypatch.setattr(kernel, "kernel", not_cached)
        for name, value in (("stand_in_calls", 0), ("stand_in_seconds", 0.0), ("_cold", set())):
            monkeypatch.setattr(kernel, name, value)
    numpy_only = _layer_outputs(nt, mode, dtype, packed)
    assert all(kernel.stand_in_calls for kernel in tiered)
    assert len(compiled) == len(numpy_only)
    for ours, theirs in zip(compiled, numpy_only):
        np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))


def _workspace(rng, dtype, shape, kind):
    """Saved activations with saturated values, signed zeros and non-finite ones: ``kind`` "sigmoid" in [0, 1],
    "tanh" in [-1, 1], else unbounded."""
    a = rng.standard_normal(shape)
    a = {"sigmoid": 1 / (1 + np.exp(-3 * a)), "tanh": np.tanh(3 * a)}.get(kind, a * 2).astype(dtype)
    flat = a.reshape(-1)
    flat[:4] = (-0.0, 0.0, 1.0, -1.0 if kind != "sigmoid" else 0.0)
    flat[-2:] = (np.nan, np.inf if kind is None else 1.0)
    return a


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("lengths, reverse", [(None, False), (None, True), ((5, 0, 3), False), ((2, 5, 4), True)])
def test_backward_stand_ins_give_the_kernels_bits(mode, dtype, lengths, reverse):
    T, B, H = 5, 3, 6
    rng = np.random.default_rng(T + len(mode) + (lengths is None) + 2 * reverse)
    G = GATES[mode]
    lengths = np.full(B, T, np.int64) if lengths is None else np.array(lengths, np.int64)
    grad_out, dh = _workspace(rng, dtype, (T, B, H), None), _workspace(rng, dtype, (B, H), None)
    w_hh = (rng.standard_normal((G * H, H)) * 0.5).astype(dtype)
    if mode == "lstm":
        gates = np.concatenate([_workspace(rng, dtype, (T, B, H), k) for k in ("sigmoid", "sigmoid", "tanh",
                                                                               "sigmoid")], axis=2)
        tiered = _rnn_lstm.lstm_backward.serial
        args = (grad_out, w_hh, np.empty((0, 0), dtype), False, lengths, reverse, gates,
                _workspace(rng, dtype, (T, B, H), None), _workspace(rng, dtype, (T, B, H), "tanh"), dh,
                _workspace(rng, dtype, (B, H), None), np.empty((T, B, G * H), dtype), np.empty((0, 0, 0), dtype),
                np.empty((B, H), dtype), np.empty((B, H), dtype), np.empty((B, H), dtype))
    elif mode == "gru":
        gates = np.concatenate([_workspace(rng, dtype, (T, B, H), k) for k in ("sigmoid", "sigmoid", "tanh")],
                               axis=2)
        tiered = _rnn_gru.gru_backward.serial
        args = (grad_out, w_hh, lengths, reverse, gates, _workspace(rng, dtype, (T, B, H), None),
                _workspace(rng, dtype, (T, B, H), None), dh, np.empty((T, B, G * H), dtype),
                np.empty((T, B, G * H), dtype), np.empty((B, H), dtype), np.empty((B, H), dtype))
    else:
        out = _workspace(rng, dtype, (T, B, H), "tanh" if mode == "rnn_tanh" else None)
        tiered = _rnn_simple.rnn_backward.serial
        args = (grad_out, w_hh, mode == "rnn_relu", lengths, reverse, out, dh, np.empty((T, B, H), dtype),
                np.empty((B, H), dtype), np.empty((B, H), dtype))
    _assert_same_bits(*_run_both(tiered, args))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("bias_sums", [True, False])
def test_cell_backward_stand_ins_give_the_kernels_bits(mode, dtype, bias_sums):
    B, H = 4, 9
    rng = np.random.default_rng(len(mode))
    dh = _workspace(rng, dtype, (B, H), None)
    sums = [np.empty(GATES[mode] * H if bias_sums else 0, dtype) for _ in range(2 if mode == "gru" else 1)]
    if mode == "lstm":
        gates = np.concatenate([_workspace(rng, dtype, (1, B, H), k) for k in ("sigmoid", "sigmoid", "tanh",
                                                                               "sigmoid")], axis=2)
        tiered = _rnn_lstm.lstm_cell_backward
        args = (dh, _workspace(rng, dtype, (B, H), None), gates, _workspace(rng, dtype, (1, B, H), None),
                _workspace(rng, dtype, (1, B, H), "tanh"), np.empty((1, B, 4 * H), dtype), *sums)
    elif mode == "gru":
        gates = np.concatenate([_workspace(rng, dtype, (1, B, H), k) for k in ("sigmoid", "sigmoid", "tanh")],
                               axis=2)
        tiered = _rnn_gru.gru_cell_backward
        args = (dh, gates, _workspace(rng, dtype, (1, B, H), None), _workspace(rng, dtype, (1, B, H), None),
                np.empty((1, B, 3 * H), dtype), np.empty((1, B, 3 * H), dtype), np.empty((B, H), dtype), *sums)
    else:
        tiered = _rnn_simple.rnn_cell_backward
        args = (dh, mode == "rnn_relu", _workspace(rng, dtype, (1, B, H), "tanh"), np.empty((1, B, H), dtype),
                *sums)
    _assert_same_bits(*_run_both(tiered, args))
