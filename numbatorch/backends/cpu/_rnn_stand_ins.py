"""Numpy stand-ins for the recurrent kernels (layers and cells, forward and backward) while their Numba builds are
not cached (``_tiered.py``).

The LSTM and GRU forward kernels took 1.7-1.9 s each to compile, most of a cold ``layers --quick``, and each
backward kernel about 1 s more. Each stand-in takes its kernel's arguments and gives its kernel's results bit for
bit:

- the gate math replays ``_vector_exp.exp`` / ``_vector_exp32.exp32`` and the ``_rnn_math`` activations on
  whole arrays: the same operations on the same values in the same order (the kernels are built without
  fast-math, so LLVM neither fuses a multiply-add nor reorders, and vector lanes compute what scalar code does);
- each step's product calls the BLAS that the kernels' ``np.dot`` calls, with the same arguments
  (``_numba_dot``).
"""
import numpy as np

from . import _rnn_math, _vector_exp, _vector_exp32
from ._numba_dot import check_product, dot
from ._tiered import Unsupported

_ONE32 = np.float32(1.0)
_ZERO32 = np.float32(0.0)
# the float64 exp's Taylor coefficients 1/13! ... 1/2!, as the kernel's constants
_EXP_TAYLOR = tuple(1.0 / f for f in (6227020800.0, 479001600.0, 39916800.0, 3628800.0, 362880.0, 40320.0,
                                      5040.0, 720.0, 120.0, 24.0, 6.0)) + (0.5,)


def _reduced(x, e):
    """(shifted, r) of the range reduction x = k*ln2 + r in ``e.exp`` or ``e.exp32`` (``e`` the kernel's module)."""
    x = np.where(x > e._CLAMP_HIGH, e._CLAMP_HIGH, x)
    x = np.where(x < e._CLAMP_LOW, e._CLAMP_LOW, x)
    shifted = x * e._LOG2E + e._SHIFTER
    k = shifted - e._SHIFTER
    return shifted, (x - k * e._LN2_HI) - k * e._LN2_LO


def _series(r, coefficients):
    """The kernels' Horner evaluation of the Taylor coefficients (highest order first) at ``r``."""
    q = coefficients[0] * r + coefficients[1]
    for coefficient in coefficients[2:]:
        q = q * r + coefficient
    return q


def exp(x):
    """``_vector_exp.exp`` on a float64 array."""
    e = _vector_exp
    shifted, r = _reduced(x, e)
    p = 1.0 + (r + r * r * _series(r, _EXP_TAYLOR))
    k_int = shifted.view(np.int64) - e._SHIFTER_BITS
    k1 = k_int >> 1
    k2 = k_int - k1
    return p * ((k1 + e._EXPONENT_BIAS) << 52).view(np.float64) * ((k2 + e._EXPONENT_BIAS) << 52).view(np.float64)


def exp32(x):
    """``_vector_exp32.exp32`` on a float32 array."""
    e = _vector_exp32
    shifted, r = _reduced(x, e)
    p = _ONE32 + (r + r * r * _series(r, e._TAYLOR))
    k_int = shifted.view(np.int32) - e._SHIFTER_BITS
    k1 = k_int >> 1
    k2 = k_int - k1
    return (p * ((k1 + e._EXPONENT_BIAS) << e._MANTISSA_BITS).view(np.float32)
            * ((k2 + e._EXPONENT_BIAS) << e._MANTISSA_BITS).view(np.float32))


def _tanh_near_zero(x):
    x2 = x * x
    return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))))


def sigmoid(x):
    """``_rnn_math.sigmoid`` (float64)."""
    return 1.0 / (1.0 + exp(-x))


def tanh(x):
    """``_rnn_math.tanh`` (float64)."""
    return np.where(abs(x) < _rnn_math._TAYLOR_LIMIT, _tanh_near_zero(x), 2.0 / (1.0 + exp(-2.0 * x)) - 1.0)


def sigmoid_or_tanh(x, is_tanh):
    """``_rnn_math.sigmoid_or_tanh`` (float64); ``is_tanh`` a boolean array broadcasting against ``x``."""
    s = 1.0 / (1.0 + exp(np.where(is_tanh, -2.0 * x, -x)))
    tanh_x = np.where(abs(x) < _rnn_math._TAYLOR_LIMIT, _tanh_near_zero(x), 2.0 * s - 1.0)
    return np.where(is_tanh, tanh_x, s)


def sigmoid32(x):
    """``_rnn_math.sigmoid_or_tanh32(x, False)``."""
    return _ONE32 / (_ONE32 + exp32(-x))


def _tanh32(x, ax, r):
    """The float32 tanh of ``x`` from ``ax`` = |x| and ``r`` = (1 - e) / (1 + e) with e = exp32(-2|x|)."""
    m = _rnn_math
    x2 = x * x
    near_zero = x * (_ONE32 + x2 * (m._T3 + x2 * (m._T5 + x2 * (m._T7 + x2 * m._T9))))
    return np.where(ax < m._TAYLOR_LIMIT32, near_zero, np.where(x >= _ZERO32, r, -r))


def tanh32(x):
    """``_rnn_math.sigmoid_or_tanh32(x, True)``."""
    ax = abs(x)
    e = exp32(-(ax + ax))
    return _tanh32(x, ax, (_ONE32 - e) / (_ONE32 + e))


def sigmoid_or_tanh32(x, is_tanh):
    """``_rnn_math.sigmoid_or_tanh32`` with ``is_tanh`` a boolean array broadcasting against ``x``: one ``exp32``
    over all gates (numpy's per-call cost, not the arithmetic, dominates a step's small arrays)."""
    ax = abs(x)
    e = exp32(np.where(is_tanh, -(ax + ax), -x))
    r = np.where(is_tanh, _ONE32 - e, _ONE32) / (_ONE32 + e)
    return np.where(is_tanh, _tanh32(x, ax, r), r)


def _lstm_gates(pre, c):
    """Gate activations (B, 4H), new c and tanh(c), and o * tanh(c) of the LSTM kernels from the
    pre-activations ``pre`` (B, 4H) and the state ``c`` (B, H)."""
    H = c.shape[1]
    j = np.arange(4 * H)
    is_tanh = (j >= 2 * H) & (j < 3 * H)
    if pre.dtype == np.float32:
        g = sigmoid_or_tanh32(pre, is_tanh)
        activate = tanh32
    else:
        g = sigmoid_or_tanh(pre, is_tanh)
        activate = _tanh_of_state
    c_new = g[:, H:2 * H] * c + g[:, :H] * g[:, 2 * H:3 * H]
    tanh_c = activate(c_new)
    return g, c_new, tanh_c, g[:, 3 * H:] * tanh_c


def _tanh_of_state(c):
    return sigmoid_or_tanh(c, True)


def _gru_gates(xw_b, hw, b_hh, h):
    """Gate activations (B, 3H), the n gate's hidden term (B, H) and new h of the GRU kernels from
    ``xw_b`` = x @ W_ih^T + b_ih, ``hw`` = h @ W_hh^T, ``b_hh`` and the state ``h`` (B, H)."""
    H = h.shape[1]
    g = np.empty_like(hw)
    hn = hw[:, 2 * H:] + b_hh[2 * H:]
    if hw.dtype == np.float32:
        g[:, :2 * H] = sigmoid32(xw_b[:, :2 * H] + hw[:, :2 * H] + b_hh[:2 * H])
        g[:, 2 * H:] = tanh32(xw_b[:, 2 * H:] + g[:, :H] * hn)
        one = _ONE32
    else:
        g[:, :2 * H] = sigmoid(xw_b[:, :2 * H] + hw[:, :2 * H] + b_hh[:2 * H])
        g[:, 2 * H:] = tanh(xw_b[:, 2 * H:] + g[:, :H] * hn)
        one = 1.0
    z, n = g[:, H:2 * H], g[:, 2 * H:]
    return g, hn, (one - z) * n + z * h


def _elman(pre, use_relu):
    if use_relu:
        return np.where(pre > 0.0, pre, 0.0 * pre)  # 0 * pre keeps NaN, as the kernel
    return tanh32(pre) if pre.dtype == np.float32 else tanh(pre)


def _steps(T, reverse, lengths):
    """(t, active rows or None when all are) of each step in the kernels' order."""
    for s in range(T):
        t = T - 1 - s if reverse else s
        active = t < lengths
        yield t, None if active.all() else active[:, None]


def _put(dst, value, active):
    """``dst[...] = value`` on active rows, zeros on the others."""
    dst[...] = value if active is None else np.where(active, value, 0.0)


def _keep(dst, value, active):
    """``dst[...] = value`` on active rows; the others keep their state."""
    if active is None:
        dst[...] = value
    else:
        np.copyto(dst, value, where=active)


def _check(arrays, *products):
    """Raise ``Unsupported`` for empty ``arrays`` (the kernel's own handling) or a product ``dot`` cannot replay."""
    if any(a.size == 0 for a in arrays):
        raise Unsupported
    for product in products:
        check_product(*product)


def lstm_forward(xw, xw_bias, w_hh_t, w_hr_t, has_proj, lengths, reverse,
                 h, c, out, gates, h_prev, c_prev, tanh_c, m, hw, h_proj):
    """``_rnn_lstm.lstm_forward``."""
    projection = [(m[0], w_hr_t, h_proj)] if has_proj and xw.size else []
    _check((xw, h, c), (h, w_hh_t, hw), *projection)
    with np.errstate(all="ignore"):
        for t, active in _steps(xw.shape[0], reverse, lengths):
            h_prev[t] = h
            c_prev[t] = c
            dot(h, w_hh_t, hw)
            g, c_new, tanh_c_new, h_new = _lstm_gates(xw[t] + xw_bias + hw, c)
            _put(gates[t], g, active)
            _put(tanh_c[t], tanh_c_new, active)
            _keep(c, c_new, active)
            if has_proj:
                _put(m[t], h_new, active)
                dot(m[t], w_hr_t, h_proj)
                _keep(h, h_proj, active)
                _put(out[t], h_proj, active)
            else:
                _keep(h, h_new, active)
                _put(out[t], h_new, active)


def gru_forward(xw, b_ih, w_hh_t, b_hh, lengths, reverse, h, out, gates, hn, h_prev, hw):
    """``_rnn_gru.gru_forward``."""
    _check((xw, h), (h, w_hh_t, hw))
    with np.errstate(all="ignore"):
        for t, active in _steps(xw.shape[0], reverse, lengths):
            h_prev[t] = h
            dot(h, w_hh_t, hw)
            g, hn_new, h_new = _gru_gates(xw[t] + b_ih, hw, b_hh, h)
            _put(gates[t], g, active)
            _put(hn[t], hn_new, active)
            _keep(h, h_new, active)
            _put(out[t], h_new, active)


def rnn_forward(xw, w_hh_t, use_relu, lengths, reverse, h, out, h_prev, hw):
    """``_rnn_simple.rnn_forward``."""
    _check((xw, h), (h, w_hh_t, hw))
    with np.errstate(all="ignore"):
        for t, active in _steps(xw.shape[0], reverse, lengths):
            h_prev[t] = h
            dot(h, w_hh_t, hw)
            h_new = _elman(xw[t] + hw, use_relu)
            _keep(h, h_new, active)
            _put(out[t], h_new, active)


def lstm_cell_forward(xw, hw, h, c, out, gates, tanh_c):
    """``_rnn_lstm.lstm_cell_forward``."""
    with np.errstate(all="ignore"):
        g, c_new, tanh_c_new, h_new = _lstm_gates(xw[0] + np.zeros(hw.shape[1], hw.dtype) + hw, c)
        gates[0] = g
        tanh_c[0] = tanh_c_new
        c[...] = c_new
        h[...] = h_new
        out[0] = h_new


def gru_cell_forward(xw, hw, b_hh, h, out, gates, hn):
    """``_rnn_gru.gru_cell_forward``."""
    with np.errstate(all="ignore"):
        g, hn_new, h_new = _gru_gates(xw[0] + np.zeros(hw.shape[1], hw.dtype), hw, b_hh, h)
        gates[0] = g
        hn[0] = hn_new
        h[...] = h_new
        out[0] = h_new


def rnn_cell_forward(xw, hw, use_relu, h):
    """``_rnn_simple.rnn_cell_forward``."""
    with np.errstate(all="ignore"):
        h[...] = _elman(xw[0] + hw, use_relu)


def _lstm_gate_grads(dm, dc, g, c_prev, tanh_c):
    """Gate gradients (B, 4H) and dL/dc of the previous step, as ``_rnn_lstm._lstm_rows_backward``."""
    H = dc.shape[1]
    one = _ONE32 if g.dtype == np.float32 else 1.0
    i, f, gg, o = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
    dg = np.empty_like(g)
    dct = dc + dm * o * (one - tanh_c * tanh_c)
    dg[:, 3 * H:] = dm * tanh_c * o * (one - o)
    dg[:, :H] = dct * gg * i * (one - i)
    dg[:, H:2 * H] = dct * c_prev * f * (one - f)
    dg[:, 2 * H:3 * H] = dct * i * (one - gg * gg)
    return dg, dct * f


def lstm_backward(grad_out, w_hh, w_hr, has_proj, lengths, reverse, gates, c_prev, tanh_c,
                  dh, dc, dgates, dh_total_all, dh_total, dm, dh_gemm):
    """``_rnn_lstm.lstm_backward``."""
    projection = [(dh_total, w_hr, dm)] if has_proj else []
    _check((grad_out, dh, dc), (dgates[0], w_hh, dh_gemm), *projection)
    with np.errstate(all="ignore"):
        for t, active in _steps(grad_out.shape[0], not reverse, lengths):
            dh_total[...] = dh + grad_out[t]
            if has_proj:
                dh_total_all[t] = dh_total
                dot(dh_total, w_hr, dm)
            else:
                dm[...] = dh_total
            dg, dc_prev = _lstm_gate_grads(dm, dc, gates[t], c_prev[t], tanh_c[t])
            _put(dgates[t], dg, active)
            _keep(dc, dc_prev, active)
            dot(dgates[t], w_hh, dh_gemm)
            dh[...] = dh_gemm if active is None else np.where(active, dh_gemm, dh_total)


def _gru_gate_grads(dht, g, hn, h_prev):
    """(dL/d input-side pre-activations, dL/d hidden-side ones, dL/dh_prev bypassing W_hh), as
    ``_rnn_gru._gru_cell_backward``."""
    H = dht.shape[1]
    one = _ONE32 if g.dtype == np.float32 else 1.0
    r, z, n = g[:, :H], g[:, H:2 * H], g[:, 2 * H:]
    dn_pre = dht * (one - z) * (one - n * n)
    dr_pre = dn_pre * hn * r * (one - r)
    dz_pre = dht * (h_prev - n) * z * (one - z)
    dgx = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)
    dgh = np.concatenate([dr_pre, dz_pre, dn_pre * r], axis=1)
    return dgx, dgh, dht * z


def gru_backward(grad_out, w_hh, lengths, reverse, gates, hn, h_prev, dh, dgates_x, dgates_h, dh_direct, dh_gemm):
    """``_rnn_gru.gru_backward``."""
    _check((grad_out, dh), (dgates_h[0], w_hh, dh_gemm))
    with np.errstate(all="ignore"):
        for t, active in _steps(grad_out.shape[0], not reverse, lengths):
            dgx, dgh, direct = _gru_gate_grads(dh + grad_out[t], gates[t], hn[t], h_prev[t])
            _put(dgates_x[t], dgx, active)
            _put(dgates_h[t], dgh, active)
            dh_direct[...] = direct if active is None else np.where(active, direct, dh)
            dot(dgates_h[t], w_hh, dh_gemm)
            dh[...] = dh_direct + dh_gemm if active is None else np.where(active, dh_direct + dh_gemm, dh_direct)


def _elman_grads(dht, y, use_relu):
    if use_relu:
        return np.where(y > 0.0, dht, 0.0)
    return dht * ((_ONE32 if y.dtype == np.float32 else 1.0) - y * y)


def rnn_backward(grad_out, w_hh, use_relu, lengths, reverse, out, dh, dpre, dh_total, dh_gemm):
    """``_rnn_simple.rnn_backward``."""
    _check((grad_out, dh), (dpre[0], w_hh, dh_gemm))
    with np.errstate(all="ignore"):
        for t, active in _steps(grad_out.shape[0], not reverse, lengths):
            dht = dh + grad_out[t]
            _put(dpre[t], _elman_grads(dht, out[t], use_relu), active)
            dh_total[...] = dht if active is None else np.where(active, dht, dh)
            dot(dpre[t], w_hh, dh_gemm)
            dh[...] = dh_gemm if active is None else np.where(active, dh_gemm, dh_total)


def lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, grad_bias):
    """``_rnn_lstm.lstm_cell_backward``."""
    with np.errstate(all="ignore"):
        dgates[0], dc[...] = _lstm_gate_grads(dh, dc, gates[0], c_prev[0], tanh_c[0])
        _column_sums(dgates[0], grad_bias)


def gru_cell_backward(dh, gates, hn, h_prev, dgates_x, dgates_h, dh_direct, grad_b_ih, grad_b_hh):
    """``_rnn_gru.gru_cell_backward``."""
    with np.errstate(all="ignore"):
        dgates_x[0], dgates_h[0], dh_direct[...] = _gru_gate_grads(dh + np.zeros_like(dh), gates[0], hn[0],
                                                                   h_prev[0])
        _column_sums(dgates_x[0], grad_b_ih)
        _column_sums(dgates_h[0], grad_b_hh)


def rnn_cell_backward(dh, use_relu, out, dpre, grad_bias):
    """``_rnn_simple.rnn_cell_backward``."""
    with np.errstate(all="ignore"):
        dpre[0] = _elman_grads(dh + np.zeros_like(dh), out[0], use_relu)
        _column_sums(dpre[0], grad_bias)


def _column_sums(d, out):
    """``_rnn_math.sum_columns(d, out)`` where ``out`` is not empty (numpy adds the rows of a C-contiguous ``d`` of
    two or more columns in order, as it)."""
    if out.size:
        out[...] = d.sum(axis=0)
