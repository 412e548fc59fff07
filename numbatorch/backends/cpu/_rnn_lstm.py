"""Numba kernels for one direction of one LSTM layer over a whole sequence.

PyTorch's gate order (i, f, g, o) and equations; optional projection
h = W_hr (o * tanh(c)). The input projection x @ W_ih^T + biases is done by the
caller as one GEMM (``xw``); each step here does the h @ W_hh^T GEMM (BLAS via
``np.dot``) and the fused gate math. The time loop lives inside the kernel so a
step costs no Python dispatch. Steps with ``t >= lengths[b]`` leave row ``b``'s
state unchanged and write zeros to its output (packed sequences).
"""
import numpy as np
from numba import njit

from ._parallel import twin_kernels
from ._rnn_math import copy_rows, sigmoid, tanh


@njit(cache=True, error_model="numpy")
def _lstm_cell_forward(b, t, active, has_proj, xw, hw, h, c, out, gates, tanh_c, m):
    """Gate math for batch row ``b`` at time ``t``; updates h (no proj) and c in place."""
    H = c.shape[1]
    if not active:
        for j in range(4 * H):
            gates[t, b, j] = 0.0
        for j in range(H):
            tanh_c[t, b, j] = 0.0
            if has_proj:
                m[t, b, j] = 0.0
        if not has_proj:
            for j in range(H):
                out[t, b, j] = 0.0
        return
    for j in range(H):
        i = sigmoid(xw[t, b, j] + hw[b, j])
        f = sigmoid(xw[t, b, H + j] + hw[b, H + j])
        g = tanh(xw[t, b, 2 * H + j] + hw[b, 2 * H + j])
        o = sigmoid(xw[t, b, 3 * H + j] + hw[b, 3 * H + j])
        c_new = f * c[b, j] + i * g
        tc = tanh(c_new)
        c[b, j] = c_new
        gates[t, b, j] = i
        gates[t, b, H + j] = f
        gates[t, b, 2 * H + j] = g
        gates[t, b, 3 * H + j] = o
        tanh_c[t, b, j] = tc
        if has_proj:
            m[t, b, j] = o * tc
        else:
            h[b, j] = o * tc
            out[t, b, j] = o * tc


@njit(cache=True, error_model="numpy")
def _lstm_cell_backward(b, t, active, dm, dc, gates, c_prev, tanh_c, dgates):
    """Gate gradients for row ``b`` at time ``t`` given dL/dm (m = o*tanh(c)); updates dc in place."""
    H = dc.shape[1]
    if not active:
        for j in range(4 * H):
            dgates[t, b, j] = 0.0
        return
    for j in range(H):
        i = gates[t, b, j]
        f = gates[t, b, H + j]
        g = gates[t, b, 2 * H + j]
        o = gates[t, b, 3 * H + j]
        tc = tanh_c[t, b, j]
        dmv = dm[b, j]
        dct = dc[b, j] + dmv * o * (1.0 - tc * tc)
        dgates[t, b, j] = dct * g * i * (1.0 - i)
        dgates[t, b, H + j] = dct * c_prev[t, b, j] * f * (1.0 - f)
        dgates[t, b, 2 * H + j] = dct * i * (1.0 - g * g)
        dgates[t, b, 3 * H + j] = dmv * tc * o * (1.0 - o)
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
    def lstm_forward(xw, w_hh_t, w_hr_t, has_proj, lengths, reverse,
                     h, c, out, gates, h_prev, c_prev, tanh_c, m, hw, h_proj):
        """Run the sequence; fills out, h, c (final state) and the backward workspace."""
        T, B = xw.shape[0], xw.shape[1]
        for s in range(T):
            t = T - 1 - s if reverse else s
            copy_rows(h_prev[t], h)
            copy_rows(c_prev[t], c)
            np.dot(h, w_hh_t, hw)
            for b in loop(B):
                _lstm_cell_forward(b, t, t < lengths[b], has_proj, xw, hw, h, c, out, gates, tanh_c, m)
            if has_proj:
                np.dot(m[t], w_hr_t, h_proj)
                _finish_step_proj(t, lengths, h, out, h_proj)
    return lstm_forward


lstm_forward = twin_kernels(_make_lstm_forward)


def _make_lstm_backward(loop):
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
            for b in loop(B):
                _lstm_cell_backward(b, t, t < lengths[b], dm, dc, gates, c_prev, tanh_c, dgates)
            np.dot(dgates[t], w_hh, dh_gemm)
            _finish_step_backward(t, lengths, dh, dh_gemm, dh_total)
    return lstm_backward


lstm_backward = twin_kernels(_make_lstm_backward)
