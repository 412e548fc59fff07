"""Numba kernels for one direction of one Elman RNN layer (tanh or relu) over a sequence.

h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh); ``xw`` (input GEMM plus both biases)
comes from the caller. Steps with ``t >= lengths[b]`` leave row ``b``'s state
unchanged and output zeros.
"""
import numpy as np
from numba import njit

from . import _rnn_stand_ins
from ._parallel import twin_kernels
from ._rnn_math import copy_rows, sum_columns, tanh_gate
from ._tiered import Tiered

# float32 1 and 0 keep float32 gradients in float32 arithmetic (a float64 literal promoted them); float64 stays float64
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


@njit(cache=True, error_model="numpy")
def _activate(xw_row, hw_row, use_relu, h_row):
    """``h_row = act(xw_row + hw_row)`` on 1-d arrays, one loop per activation so LLVM vectorises it; float32
    tanh in float32 arithmetic."""
    if use_relu:
        for j in range(h_row.size):
            pre = xw_row[j] + hw_row[j]
            h_row[j] = pre if pre > 0.0 else 0.0 * pre  # 0*pre keeps NaN
    else:
        for j in range(h_row.size):
            h_row[j] = tanh_gate(xw_row[j] + hw_row[j])


@njit(cache=True, error_model="numpy")
def _rnn_cell_forward(b, t, active, use_relu, xw, hw, h, out):
    H = h.shape[1]
    out_row = out[t, b]
    if not active:
        for j in range(H):
            out_row[j] = 0.0
        return
    h_row = h[b]
    _activate(xw[t, b], hw[b], use_relu, h_row)
    for j in range(H):
        out_row[j] = h_row[j]


@njit(cache=True, error_model="numpy")
def _rnn_cell_backward(b, t, active, use_relu, dh, grad_out, out, dpre, dh_total):
    H = dh.shape[1]
    if not active:
        for j in range(H):
            dpre[t, b, j] = 0.0
            dh_total[b, j] = dh[b, j]  # an inactive step passes it through
        return
    for j in range(H):
        dht = dh[b, j] + grad_out[t, b, j]
        y = out[t, b, j]
        if use_relu:
            dpre[t, b, j] = dht if y > 0.0 else 0.0
        else:
            dpre[t, b, j] = dht * (_ONE - y * y)
        dh_total[b, j] = dht


@njit(cache=True, error_model="numpy")
def _finish_step_backward(t, lengths, dh, dh_gemm, dh_total):
    for b in range(dh.shape[0]):
        src = dh_gemm if t < lengths[b] else dh_total
        for j in range(dh.shape[1]):
            dh[b, j] = src[b, j]


def _make_rnn_forward(loop):
    def rnn_forward(xw, w_hh_t, use_relu, lengths, reverse, h, out, h_prev, hw):
        """Run the sequence; fills out, h (final state) and h_prev (for the W_hh gradient)."""
        T, B = xw.shape[0], xw.shape[1]
        for s in range(T):
            t = T - 1 - s if reverse else s
            copy_rows(h_prev[t], h)
            np.dot(h, w_hh_t, hw)
            for b in loop(B):
                _rnn_cell_forward(b, t, t < lengths[b], use_relu, xw, hw, h, out)
    return rnn_forward


rnn_forward = twin_kernels(_make_rnn_forward, _rnn_stand_ins.rnn_forward)


def _make_rnn_backward(loop):
    def rnn_backward(grad_out, w_hh, use_relu, lengths, reverse, out, dh, dpre, dh_total, dh_gemm):
        """BPTT; dh enters as grad of the final state and leaves as grad of the initial state."""
        T, B = grad_out.shape[0], grad_out.shape[1]
        for s in range(T):
            t = s if reverse else T - 1 - s
            for b in loop(B):
                _rnn_cell_backward(b, t, t < lengths[b], use_relu, dh, grad_out, out, dpre, dh_total)
            np.dot(dpre[t], w_hh, dh_gemm)
            _finish_step_backward(t, lengths, dh, dh_gemm, dh_total)
    return rnn_backward


rnn_backward = twin_kernels(_make_rnn_backward, _rnn_stand_ins.rnn_backward)


@njit(cache=True, nogil=True, error_model="numpy")
def rnn_cell_forward(xw, hw, use_relu, h):
    """One step of a whole batch (``RNNCell``): ``xw`` (1, B, H) holds x @ W_ih^T + both biases, ``hw`` (B, H)
    h @ W_hh^T; fills the new state h (B, H), all C-contiguous, as one loop over the batch's B * H elements."""
    _activate(xw.reshape(-1), hw.reshape(-1), use_relu, h.reshape(-1))


rnn_cell_forward = Tiered(rnn_cell_forward, _rnn_stand_ins.rnn_cell_forward)


@njit(cache=True, nogil=True, error_model="numpy")
def rnn_cell_backward(dh, use_relu, out, dpre, grad_bias):
    """Pre-activation gradients (1, B, H) of one step of a whole batch from dL/dh' ``dh`` and the step's
    output ``out`` (1, B, H); ``grad_bias`` (H,) receives their column sums (``sum_columns``), or is empty (the
    caller sums)."""
    dh_flat, y_flat, dpre_flat = dh.reshape(-1), out.reshape(-1), dpre.reshape(-1)
    # one loop over the batch's B * H elements, the layer's step math with no output gradient: the + 0 is that
    # zero gradient's sum (a -0 gradient gives +0, as in the layer)
    if use_relu:
        for j in range(dh_flat.size):
            dpre_flat[j] = dh_flat[j] + _ZERO if y_flat[j] > 0.0 else 0.0
    else:
        for j in range(dh_flat.size):
            y = y_flat[j]
            dpre_flat[j] = (dh_flat[j] + _ZERO) * (_ONE - y * y)
    if grad_bias.size:
        sum_columns(dpre[0], grad_bias)


rnn_cell_backward = Tiered(rnn_cell_backward, _rnn_stand_ins.rnn_cell_backward)
