"""Numba kernels for one direction of one GRU layer over a whole sequence.

PyTorch's gate order (r, z, n): r = σ(W_ir x + b_ir + W_hr h + b_hr),
z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
h' = (1 - z) * n + z * h. ``xw`` = x @ W_ih^T comes from one GEMM done by the caller; b_ih
is added here, in the gate loop that reads ``xw`` anyway (no pass of its own over it), and b_hh because
b_hn sits inside the r * (...) term. Steps with
``t >= lengths[b]`` leave row ``b``'s state unchanged and output zeros.
"""
import numpy as np
from numba import njit

from . import _rnn_stand_ins
from ._parallel import twin_kernels
from ._rnn_math import copy_rows, sigmoid_gate, sum_columns, tanh_gate
from ._tiered import Tiered

# a float32 1 keeps float32 gates in float32 arithmetic (a float64 literal promoted them); float64 stays float64
_ONE = np.float32(1.0)


@njit(cache=True, error_model="numpy")
def _gru_cell_forward(b, t, active, xw, b_ih, hw, b_hh, h, out, gates, hn):
    """Gate math for batch row ``b`` at time ``t``; updates h in place."""
    H = h.shape[1]
    if not active:
        for j in range(3 * H):
            gates[t, b, j] = 0.0
        for j in range(H):
            hn[t, b, j] = 0.0
            out[t, b, j] = 0.0
        return
    # Two loops of few arrays each, on row views, so LLVM vectorises both (as the LSTM's gate loops); float32
    # gates take the float32 math (twice the lanes), float64 ones the float64 sigmoid and tanh.
    g_row, xw_row, hw_row, h_row, hn_row = gates[t, b], xw[t, b], hw[b], h[b], hn[t, b]
    for j in range(2 * H):
        g_row[j] = sigmoid_gate(xw_row[j] + b_ih[j] + hw_row[j] + b_hh[j])
    for j in range(H):
        hn_j = hw_row[2 * H + j] + b_hh[2 * H + j]
        n = tanh_gate(xw_row[2 * H + j] + b_ih[2 * H + j] + g_row[j] * hn_j)
        z = g_row[H + j]
        g_row[2 * H + j] = n
        hn_row[j] = hn_j
        h_row[j] = (_ONE - z) * n + z * h_row[j]
    out_row = out[t, b]
    for j in range(H):
        out_row[j] = h_row[j]


@njit(cache=True, error_model="numpy")
def _gru_cell_backward(b, t, active, dh, grad_out, gates, hn, h_prev, dgates_x, dgates_h, dh_direct):
    """Gate gradients for row ``b`` at time ``t``.

    Writes the gradients of the input-side pre-activations (dgates_x) and of the
    hidden-side ones (dgates_h; they differ in the n gate by the factor r) and the
    part of dL/dh_prev that bypasses W_hh (dh_direct).
    """
    H = dh.shape[1]
    if not active:
        for j in range(3 * H):
            dgates_x[t, b, j] = 0.0
            dgates_h[t, b, j] = 0.0
        for j in range(H):
            dh_direct[b, j] = dh[b, j]  # an inactive step passes it through
        return
    for j in range(H):
        r = gates[t, b, j]
        z = gates[t, b, H + j]
        n = gates[t, b, 2 * H + j]
        dht = dh[b, j] + grad_out[t, b, j]
        dn_pre = dht * (_ONE - z) * (_ONE - n * n)
        dr_pre = dn_pre * hn[t, b, j] * r * (_ONE - r)
        dz_pre = dht * (h_prev[t, b, j] - n) * z * (_ONE - z)
        dgates_x[t, b, j] = dr_pre
        dgates_x[t, b, H + j] = dz_pre
        dgates_x[t, b, 2 * H + j] = dn_pre
        dgates_h[t, b, j] = dr_pre
        dgates_h[t, b, H + j] = dz_pre
        dgates_h[t, b, 2 * H + j] = dn_pre * r
        dh_direct[b, j] = dht * z


@njit(cache=True, error_model="numpy")
def _finish_step_backward(t, lengths, dh, dh_gemm, dh_direct):
    for b in range(dh.shape[0]):
        active = t < lengths[b]
        for j in range(dh.shape[1]):
            dh[b, j] = dh_direct[b, j] + dh_gemm[b, j] if active else dh_direct[b, j]


def _make_gru_forward(loop):
    def gru_forward(xw, b_ih, w_hh_t, b_hh, lengths, reverse, h, out, gates, hn, h_prev, hw):
        """Run the sequence; fills out, h (final state) and the backward workspace."""
        T, B = xw.shape[0], xw.shape[1]
        for s in range(T):
            t = T - 1 - s if reverse else s
            copy_rows(h_prev[t], h)
            np.dot(h, w_hh_t, hw)
            for b in loop(B):
                _gru_cell_forward(b, t, t < lengths[b], xw, b_ih, hw, b_hh, h, out, gates, hn)
    return gru_forward


gru_forward = twin_kernels(_make_gru_forward, _rnn_stand_ins.gru_forward)


def _make_gru_backward(loop):
    def gru_backward(grad_out, w_hh, lengths, reverse, gates, hn, h_prev,
                     dh, dgates_x, dgates_h, dh_direct, dh_gemm):
        """BPTT; dh enters as grad of the final state and leaves as grad of the initial state."""
        T, B = grad_out.shape[0], grad_out.shape[1]
        for s in range(T):
            t = s if reverse else T - 1 - s
            for b in loop(B):
                _gru_cell_backward(b, t, t < lengths[b], dh, grad_out, gates, hn, h_prev,
                                   dgates_x, dgates_h, dh_direct)
            np.dot(dgates_h[t], w_hh, dh_gemm)
            _finish_step_backward(t, lengths, dh, dh_gemm, dh_direct)
    return gru_backward


gru_backward = twin_kernels(_make_gru_backward, _rnn_stand_ins.gru_backward)


@njit(cache=True, nogil=True, error_model="numpy")
def gru_cell_forward(xw, hw, b_hh, h, out, gates, hn):
    """One step of a whole batch (``GRUCell``): ``xw`` (1, B, 3H) holds x @ W_ih^T + b_ih, ``hw`` (B, 3H)
    h @ W_hh^T; h (B, H) becomes the new state, ``out`` is h viewed as (1, B, H)."""
    no_bias = np.zeros(gates.shape[2], dtype=gates.dtype)  # xw holds b_ih
    for b in range(h.shape[0]):
        _gru_cell_forward(b, 0, True, xw, no_bias, hw, b_hh, h, out, gates, hn)


gru_cell_forward = Tiered(gru_cell_forward, _rnn_stand_ins.gru_cell_forward)


@njit(cache=True, nogil=True, error_model="numpy")
def gru_cell_backward(dh, gates, hn, h_prev, dgates_x, dgates_h, dh_direct, grad_b_ih, grad_b_hh):
    """Gate gradients of one step of a whole batch from dL/dh' ``dh`` (arrays of ``gru_cell_forward`` as
    (1, B, *)); ``dh_direct`` receives the part of dL/dh that bypasses W_hh; ``grad_b_ih`` and ``grad_b_hh`` (3H,)
    the column sums of dgates_x and dgates_h (``sum_columns``), or are empty (the caller sums)."""
    no_output_grad = np.zeros_like(h_prev)
    for b in range(dh.shape[0]):
        _gru_cell_backward(b, 0, True, dh, no_output_grad, gates, hn, h_prev, dgates_x, dgates_h, dh_direct)
    if grad_b_ih.size:
        sum_columns(dgates_x[0], grad_b_ih)
        sum_columns(dgates_h[0], grad_b_hh)


gru_cell_backward = Tiered(gru_cell_backward, _rnn_stand_ins.gru_cell_backward)
