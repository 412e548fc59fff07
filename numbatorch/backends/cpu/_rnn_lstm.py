"""Numba kernels for one direction of one LSTM layer over a whole sequence.

PyTorch's gate order (i, f, g, o) and equations; optional projection
h = W_hr (o * tanh(c)). The input projection x @ W_ih^T is done by the caller as
one GEMM (``xw``); the biases (``xw_bias`` = b_ih + b_hh) are added to it in the gate loop, which reads
``xw`` anyway, instead of in a pass of their own over it. Each step here does the h @ W_hh^T GEMM (BLAS via
``np.dot``) and the fused gate math. The time loop lives inside the kernel so a
step costs no Python dispatch. Steps with ``t >= lengths[b]`` leave row ``b``'s
state unchanged and write zeros to its output (packed sequences).
"""
import numpy as np
from numba import njit

from . import _rnn_stand_ins
from ._parallel import twin_kernels
from ._rnn_math import copy_rows, sigmoid_or_tanh, sigmoid_or_tanh32, sum_columns
from ._tiered import Tiered

_ONE = np.float32(1.0)


@njit(cache=True, error_model="numpy")
def _lstm_rows_forward(t, lo, hi, lengths, has_proj, xw, xw_bias, hw, h, c, out, gates, tanh_c, m):
    """Gate math for batch rows ``lo:hi`` at time ``t``; updates h (no proj) and c in place. Rows with
    ``t >= lengths[b]`` are inactive. The serial kernels pass a whole step's rows in one call: one call per row
    (its seven row views and a call each) took 690 against 515 us for an LSTM(64->32) forward over 8 x 200."""
    H = c.shape[1]
    g2, tc2, xw2 = gates[t], tanh_c[t], xw[t]
    for b in range(lo, hi):
        if t >= lengths[b]:
            for j in range(4 * H):
                g2[b, j] = 0.0
            for j in range(H):
                tc2[b, j] = 0.0
                if has_proj:
                    m[t, b, j] = 0.0
            if not has_proj:
                for j in range(H):
                    out[t, b, j] = 0.0
            continue
        # Loops of few arrays each, so LLVM vectorises them (one loop touching every array did not: too many
        # possibly-aliasing pointers for its runtime checks). Float32 gates take the float32 math.
        if gates.itemsize == 4:
            # the sigmoids (i, f), the tanh (g) and the sigmoid (o) as three loops: float32 vectors of 16 lanes,
            # and one loop that picks the function per element ran ~1.5x slower (float64 gains nothing from it)
            for j in range(2 * H):
                g2[b, j] = sigmoid_or_tanh32(xw2[b, j] + xw_bias[j] + hw[b, j], False)
            for j in range(2 * H, 3 * H):
                g2[b, j] = sigmoid_or_tanh32(xw2[b, j] + xw_bias[j] + hw[b, j], True)
            for j in range(3 * H, 4 * H):
                g2[b, j] = sigmoid_or_tanh32(xw2[b, j] + xw_bias[j] + hw[b, j], False)
            for j in range(H):
                c_new = g2[b, H + j] * c[b, j] + g2[b, j] * g2[b, 2 * H + j]
                c[b, j] = c_new
                tc2[b, j] = sigmoid_or_tanh32(c_new, True)
        else:
            for j in range(4 * H):
                g2[b, j] = sigmoid_or_tanh(xw2[b, j] + xw_bias[j] + hw[b, j], (j >= 2 * H) & (j < 3 * H))
            for j in range(H):
                c_new = g2[b, H + j] * c[b, j] + g2[b, j] * g2[b, 2 * H + j]
                c[b, j] = c_new
                tc2[b, j] = sigmoid_or_tanh(c_new, True)
        if has_proj:
            for j in range(H):
                m[t, b, j] = g2[b, 3 * H + j] * tc2[b, j]
        else:
            for j in range(H):
                h[b, j] = g2[b, 3 * H + j] * tc2[b, j]
            for j in range(H):
                out[t, b, j] = h[b, j]


@njit(cache=True, error_model="numpy")
def _lstm_rows_backward(t, lo, hi, lengths, dm, dc, gates, c_prev, tanh_c, dgates):
    """Gate gradients for batch rows ``lo:hi`` at time ``t`` given dL/dm (m = o*tanh(c)); updates dc in place.
    Rows with ``t >= lengths[b]`` are inactive. A whole step's rows in one call, as ``_lstm_rows_forward``. The
    float32 ``_ONE`` keeps float32 gates in float32 arithmetic (twice the lanes; a float64 literal promoted every
    product), and float64 ones in float64."""
    H = dc.shape[1]
    g2, cp2, tc2, dg2 = gates[t], c_prev[t], tanh_c[t], dgates[t]
    for b in range(lo, hi):
        if t >= lengths[b]:
            for j in range(4 * H):
                dg2[b, j] = 0.0
            continue
        # Loops of few arrays each, so LLVM vectorises them (one loop over all six arrays stayed scalar, as the
        # forward's did). Same operations in the same order: same bits.
        for j in range(H):
            tc = tc2[b, j]
            o = g2[b, 3 * H + j]
            dmv = dm[b, j]
            dc[b, j] = dc[b, j] + dmv * o * (_ONE - tc * tc)
            dg2[b, 3 * H + j] = dmv * tc * o * (_ONE - o)
        for j in range(H):
            i = g2[b, j]
            f = g2[b, H + j]
            g = g2[b, 2 * H + j]
            dct = dc[b, j]
            dg2[b, j] = dct * g * i * (_ONE - i)
            dg2[b, H + j] = dct * cp2[b, j] * f * (_ONE - f)
            dg2[b, 2 * H + j] = dct * i * (_ONE - g * g)
            dc[b, j] = dct * f


@njit(cache=True, error_model="numpy")
def _add_rows(dst, a, b):
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = a[i, j] + b[i, j]


@njit(cache=True, error_model="numpy")
def _finish_step_backward(t, lengths, dh, dh_gemm, dh_total):
    # an inactive step passes the state gradient through unchanged
    for b in range(dh.shape[0]):
        src = dh_gemm if t < lengths[b] else dh_total
        for j in range(dh.shape[1]):
            dh[b, j] = src[b, j]


@njit(cache=True, error_model="numpy")
def _finish_step_proj(t, lengths, h, out, h_proj):
    for b in range(h.shape[0]):
        active = t < lengths[b]
        for j in range(h.shape[1]):
            if active:
                h[b, j] = h_proj[b, j]
                out[t, b, j] = h_proj[b, j]
            else:
                out[t, b, j] = 0.0


def _make_lstm_forward(loop):
    whole_steps = loop is range  # the serial build: a step's rows in one call; the parallel one: a row per task

    def lstm_forward(xw, xw_bias, w_hh_t, w_hr_t, has_proj, lengths, reverse,
                     h, c, out, gates, h_prev, c_prev, tanh_c, m, hw, h_proj):
        """Run the sequence; fills out, h, c (final state) and the backward workspace."""
        T, B = xw.shape[0], xw.shape[1]
        for s in range(T):
            t = T - 1 - s if reverse else s
            copy_rows(h_prev[t], h)
            copy_rows(c_prev[t], c)
            np.dot(h, w_hh_t, hw)
            if whole_steps:
                _lstm_rows_forward(t, 0, B, lengths, has_proj, xw, xw_bias, hw, h, c, out, gates, tanh_c, m)
            else:
                for i in loop(B):
                    b = np.int64(i)
                    _lstm_rows_forward(t, b, b + 1, lengths, has_proj, xw, xw_bias, hw, h, c, out, gates, tanh_c, m)
            if has_proj:
                np.dot(m[t], w_hr_t, h_proj)
                _finish_step_proj(t, lengths, h, out, h_proj)
    return lstm_forward


lstm_forward = twin_kernels(_make_lstm_forward, _rnn_stand_ins.lstm_forward)


def _make_lstm_backward(loop):
    whole_steps = loop is range  # as in _make_lstm_forward

    def lstm_backward(grad_out, w_hh, w_hr, has_proj, lengths, reverse, gates, c_prev, tanh_c,
                      dh, dc, dgates, dh_total_all, dh_total, dm, dh_gemm):
        """BPTT; dh/dc enter as grad of the final state and leave as grad of the initial state."""
        T, B = grad_out.shape[0], grad_out.shape[1]
        for s in range(T):
            t = s if reverse else T - 1 - s
            _add_rows(dh_total, dh, grad_out[t])
            if has_proj:
                copy_rows(dh_total_all[t], dh_total)
                np.dot(dh_total, w_hr, dm)
            else:
                copy_rows(dm, dh_total)
            if whole_steps:
                _lstm_rows_backward(t, 0, B, lengths, dm, dc, gates, c_prev, tanh_c, dgates)
            else:
                for i in loop(B):
                    b = np.int64(i)
                    _lstm_rows_backward(t, b, b + 1, lengths, dm, dc, gates, c_prev, tanh_c, dgates)
            np.dot(dgates[t], w_hh, dh_gemm)
            _finish_step_backward(t, lengths, dh, dh_gemm, dh_total)
    return lstm_backward


lstm_backward = twin_kernels(_make_lstm_backward, _rnn_stand_ins.lstm_backward)


@njit(cache=True, nogil=True, error_model="numpy")
def lstm_cell_forward(xw, hw, h, c, out, gates, tanh_c):
    """One step of a whole batch (``LSTMCell``): ``xw`` (1, B, 4H) holds x @ W_ih^T + both biases, ``hw`` (B, 4H)
    h @ W_hh^T; h and c (B, H) become the new state, ``out`` is h viewed as (1, B, H)."""
    m = np.empty((0, 0, 0), dtype=gates.dtype)
    no_bias = np.zeros(gates.shape[2], dtype=gates.dtype)  # xw holds them
    B = h.shape[0]
    _lstm_rows_forward(0, 0, B, np.ones(B, dtype=np.int64), False, xw, no_bias, hw, h, c, out, gates, tanh_c, m)


lstm_cell_forward = Tiered(lstm_cell_forward, _rnn_stand_ins.lstm_cell_forward)


@njit(cache=True, nogil=True, error_model="numpy")
def lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, grad_bias):
    """Gate gradients of one step of a whole batch; ``dc`` enters as dL/dc' and leaves as dL/dc (arrays of
    ``lstm_cell_forward`` as (1, B, *)); ``grad_bias`` (4H,) receives the gate gradients' column sums
    (``sum_columns``), or is empty (the caller sums)."""
    B = dh.shape[0]
    _lstm_rows_backward(0, 0, B, np.ones(B, dtype=np.int64), dh, dc, gates, c_prev, tanh_c, dgates)
    if grad_bias.size:
        sum_columns(dgates[0], grad_bias)


lstm_cell_backward = Tiered(lstm_cell_backward, _rnn_stand_ins.lstm_cell_backward)
