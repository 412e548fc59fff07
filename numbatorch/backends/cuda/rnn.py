"""Recurrent layers on device arrays, one direction of one layer at a time, with the names, arguments and
results of ``backends.cpu.rnn`` (x (T, B, I), h0 (B, H_out), c0 (B, H); ``lengths`` host ints or None).

Forward: the input projection of every step comes as one GEMM from the family module; the time loop runs
here, each step one GEMM h @ W_hh^T of the array library and one fused kernel for the cell's pointwise math
(``_rnn_cells``).
Backward: BPTT the same way, storing the pre-activation gradients of every step; the weight, bias and input
gradients are then one GEMM (or sum) each over all steps.
"""
from ..cpu.rnn import _GATES, RNNGrads, RNNWorkspace, step_lengths
from . import _rnn_cells as K
from ._array import launch, read_only, xp

__all__ = ["RNNGrads", "RNNWorkspace", "gru_cell_backward", "gru_cell_forward", "lstm_cell_backward",
           "lstm_cell_forward", "rnn_cell_backward", "rnn_cell_forward", "rnn_layer_backward", "rnn_layer_forward"]


def _steps(T, reverse, backward=False):
    """Time indices in processing order (backward visits them in the opposite order)."""
    return range(T - 1, -1, -1) if reverse != backward else range(T)


def rnn_layer_forward(mode, x, xw, h0, w_ih, w_hh, b_hh=None, c0=None, w_hr=None, lengths=None, reverse=False,
                      xw_bias=None):
    """Run one direction of one recurrent layer; as the CPU twin.
    Returns (output (T, B, H_out), h_n, c_n or None, workspace)."""
    dtype = x.dtype
    T, B = x.shape[:2]
    GH = w_ih.shape[0]
    H = GH // _GATES[mode]
    has_proj = mode == "lstm" and w_hr is not None
    H_out = w_hr.shape[0] if has_proj else H
    h = xp.array(h0)  # a copy: the kernels update it in place
    has_bias = b_hh is not None
    lengths, full_length = step_lengths(lengths, T, B)
    lengths_d = xp.asarray(lengths)

    w_hh_t = w_hh.T
    out = xp.empty((T, B, H_out), dtype=dtype)
    h_prev = xp.empty((T, B, H_out), dtype=dtype)
    ws = RNNWorkspace(mode=mode, reverse=bool(reverse), x=x, w_ih=w_ih, w_hh=w_hh, has_bias=has_bias,
                      lengths=lengths, full_length=full_length, h_prev=h_prev, out=out)
    c = None
    xw_in = read_only(xw)
    xw_bias = read_only(xw_bias if xw_bias is not None else xp.zeros(GH, dtype=dtype))
    if mode == "lstm":
        c = xp.array(c0)
        m = xp.empty((T, B, H) if has_proj else (1, 1, 1), dtype=dtype)
        gates = xp.empty((T, B, GH), dtype=dtype)
        c_prev = xp.empty((T, B, H), dtype=dtype)
        tanh_c = xp.empty((T, B, H), dtype=dtype)
        for t in _steps(T, reverse):
            h_prev[t] = h
            c_prev[t] = c
            launch(K.lstm_forward_step, B * H)(t, lengths_d, has_proj, xw_in, xw_bias, h @ w_hh_t, h, c, out, gates,
                                                tanh_c, m)
            if has_proj:
                active = (t < lengths_d)[:, None]
                h_proj = m[t] @ w_hr.T
                h[...] = xp.where(active, h_proj, h)
                out[t] = xp.where(active, h_proj, 0)
        ws.gates, ws.c_prev, ws.tanh_c = gates, c_prev, tanh_c
        if has_proj:
            ws.w_hr, ws.m = w_hr, m
    elif mode == "gru":
        b_hh_arr = b_hh if has_bias else xp.zeros(GH, dtype=dtype)
        gates = xp.empty((T, B, GH), dtype=dtype)
        hn = xp.empty((T, B, H), dtype=dtype)
        for t in _steps(T, reverse):
            h_prev[t] = h
            launch(K.gru_forward_step, B * H)(t, lengths_d, xw_in, xw_bias, h @ w_hh_t, b_hh_arr, h, out, gates, hn)
        ws.gates, ws.hn = gates, hn
    else:
        for t in _steps(T, reverse):
            h_prev[t] = h
            launch(K.rnn_forward_step, B * H)(t, lengths_d, mode == "rnn_relu", xw_in, h @ w_hh_t, h, out)
    return out, h, c, ws


def lstm_cell_forward(x, xw, h, c, w_ih, w_hh, has_bias):
    """One LSTM step of a batch (x (B, I), xw (1, B, 4H)); as the CPU twin, here the layer with T = 1."""
    _, h_new, c_new, ws = rnn_layer_forward("lstm", x[None], xw, h, w_ih, w_hh, None, c)
    ws.has_bias = has_bias
    return h_new, c_new, ws


def lstm_cell_backward(ws, grad_h=None, grad_c=None):
    """Backpropagate through ``lstm_cell_forward``; as the CPU twin."""
    grads = rnn_layer_backward(ws, None, grad_h, grad_c)
    return grads._replace(x=grads.x[0])


def gru_cell_forward(x, xw, h, w_ih, w_hh, b_hh, has_bias):
    """One GRU step of a batch (x (B, I), xw (1, B, 3H)); as the CPU twin, here the layer with T = 1."""
    _, h_new, _, ws = rnn_layer_forward("gru", x[None], xw, h, w_ih, w_hh, b_hh)
    ws.has_bias = has_bias
    return h_new, ws


def rnn_cell_forward(mode, x, xw, h, w_ih, w_hh, has_bias):
    """One Elman RNN step of a batch (x (B, I), xw (1, B, H)); as the CPU twin, here the layer with T = 1."""
    _, h_new, _, ws = rnn_layer_forward(mode, x[None], xw, h, w_ih, w_hh)
    ws.has_bias = has_bias
    return h_new, ws


def gru_cell_backward(ws, grad_h=None):
    """Backpropagate through ``gru_cell_forward``; as the CPU twin."""
    grads = rnn_layer_backward(ws, None, grad_h)
    return grads._replace(x=grads.x[0])


def rnn_cell_backward(ws, grad_h=None):
    """Backpropagate through ``rnn_cell_forward``; as the CPU twin."""
    grads = rnn_layer_backward(ws, None, grad_h)
    return grads._replace(x=grads.x[0])


def _grad_or_zeros(g, shape, dtype):
    if g is None:
        return xp.zeros(shape, dtype=dtype)
    return xp.array(g, dtype=dtype, order="C")  # a copy: kernels update it in place


def rnn_layer_backward(ws, grad_output=None, grad_h_n=None, grad_c_n=None):
    """Backpropagate through one layer direction; returns ``RNNGrads``; as the CPU twin."""
    x, w_hh = ws.x, ws.w_hh
    T, B, I = x.shape
    dtype = x.dtype
    GH, H_out = w_hh.shape
    H = GH // _GATES[ws.mode]
    lengths_d = xp.asarray(ws.lengths)
    grad_out = _grad_or_zeros(grad_output, (T, B, H_out), dtype)
    if not ws.full_length:
        # padded positions are not outputs of the packed sequence
        grad_out *= (xp.arange(T)[:, None] < lengths_d[None, :])[:, :, None]
    dh = _grad_or_zeros(grad_h_n, (B, H_out), dtype)
    dc = grad_w_hr = None
    steps = _steps(T, ws.reverse, backward=True)
    if ws.mode == "lstm":
        has_proj = ws.w_hr is not None
        dc = _grad_or_zeros(grad_c_n, (B, H), dtype)
        dgates = xp.empty((T, B, GH), dtype=dtype)
        dh_total_all = xp.empty((T, B, H_out), dtype=dtype) if has_proj else None
        for t in steps:
            dh_total = dh + grad_out[t]
            if has_proj:
                dh_total_all[t] = dh_total
            dm = xp.ascontiguousarray(dh_total @ ws.w_hr) if has_proj else dh_total
            launch(K.lstm_backward_step, B * H)(t, lengths_d, read_only(dm), dc, read_only(ws.gates),
                                                 read_only(ws.c_prev), read_only(ws.tanh_c), dgates)
            dh = xp.where((t < lengths_d)[:, None], dgates[t] @ w_hh, dh_total)
        if has_proj:
            grad_w_hr = dh_total_all.reshape(T * B, H_out).T @ ws.m.reshape(T * B, H)
        dgates_x = dgates_h = dgates
    elif ws.mode == "gru":
        dgates_x = xp.empty((T, B, GH), dtype=dtype)
        dgates_h = xp.empty((T, B, GH), dtype=dtype)
        dh_direct = xp.empty((B, H), dtype=dtype)
        for t in steps:
            launch(K.gru_backward_step, B * H)(t, lengths_d, read_only(dh), read_only(grad_out),
                                                read_only(ws.gates), read_only(ws.hn), read_only(ws.h_prev),
                                                dgates_x, dgates_h, dh_direct)
            dh = xp.where((t < lengths_d)[:, None], dh_direct + dgates_h[t] @ w_hh, dh_direct)
    else:
        dgates_x = dgates_h = xp.empty((T, B, GH), dtype=dtype)
        dh_total = xp.empty((B, H), dtype=dtype)
        for t in steps:
            launch(K.rnn_backward_step, B * H)(t, lengths_d, ws.mode == "rnn_relu", read_only(dh),
                                                read_only(grad_out), read_only(ws.out), dgates_x, dh_total)
            dh = xp.where((t < lengths_d)[:, None], dgates_x[t] @ w_hh, dh_total)

    dgx = dgates_x.reshape(T * B, GH)
    dgh = dgates_h.reshape(T * B, GH)
    grad_x = (dgx @ ws.w_ih).reshape(T, B, I)
    grad_w_ih = dgx.T @ x.reshape(T * B, I)
    grad_w_hh = dgh.T @ ws.h_prev.reshape(T * B, H_out)
    grad_b_ih = grad_b_hh = None
    if ws.has_bias:
        grad_b_ih = dgx.sum(axis=0)
        grad_b_hh = grad_b_ih.copy() if dgh is dgx else dgh.sum(axis=0)
    return RNNGrads(grad_x, xp.ascontiguousarray(dh), dc, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh, grad_w_hr)
