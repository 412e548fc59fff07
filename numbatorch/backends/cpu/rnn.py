"""Recurrent layers on raw numpy arrays: one direction of one layer at a time.

The caller (nn.RNN/LSTM/GRU) loops over layers and directions and handles
batch_first, dropout between layers, bidirectional concatenation and
PackedSequence (as per-batch-element ``lengths``). Layout: x (T, B, I),
h0 (B, H_out), c0 (B, H); H_out = proj_size for an LSTM with projection, else H.

Forward: the input projection of every step comes as one GEMM from the family module
(``nn.functional.rnn.input_projection``), which also casts the arrays; the LSTM and GRU gate loops add the
biases to it (``xw_bias``), saving a pass over the (T, B, G*H) projection; the time loop, with its
h @ W_hh^T GEMM and fused gate math per step, runs inside one Numba kernel
(``_rnn_lstm``, ``_rnn_gru``, ``_rnn_simple``). Backward: BPTT in one kernel that
stores the pre-activation gradients of every step; the weight, bias and input
gradients are then one GEMM (or sum) each over all steps.
"""
from collections import namedtuple

import numpy as np

from . import _rnn_gru, _rnn_lstm, _rnn_math, _rnn_simple
from . import _parallel, blas
from ._parallel import choose

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}

RNNGrads = namedtuple("RNNGrads", "x h0 c0 w_ih w_hh b_ih b_hh w_hr")
RNNGrads.__doc__ = "Gradients of one recurrent layer direction; None where the input does not exist."


class RNNWorkspace:
    """What ``rnn_layer_backward`` needs from the forward pass (inputs and gate activations). A field the
    forward pass does not set reads None (the class default: a cell step builds one per call, and setting all
    sixteen fields cost more than its gate kernel's launch). ``skip_grad_x`` / ``skip_grad_h``: the cells'
    input or state needs no gradient, so their backward leaves out its product."""

    mode = reverse = x = w_ih = w_hh = w_hr = has_bias = lengths = full_length = None
    h_prev = gates = c_prev = tanh_c = m = hn = out = None
    skip_grad_x = skip_grad_h = False

    def __init__(self, **fields):
        self.__dict__.update(fields)


def step_lengths(lengths, T, B):
    """Per-sequence lengths as int64 (B,) (all T when None) and whether every sequence has all T steps."""
    if lengths is None:
        return np.full(B, T, dtype=np.int64), True
    return lengths, bool((lengths == T).all())


def rnn_layer_forward(mode, x, xw, h0, w_ih, w_hh, b_hh=None, c0=None, w_hr=None, lengths=None, reverse=False,
                      xw_bias=None):
    """Run one direction of one recurrent layer.

    mode: "rnn_tanh", "rnn_relu", "lstm" or "gru". x (T, B, I); xw (T, B, G*H) its input projection
    (``nn.functional.rnn.input_projection``); xw_bias (G*H,) the biases that add to it, which the LSTM and GRU
    gate loops add (b_ih + b_hh for an LSTM, b_ih for a GRU), or None where xw holds them; h0 (B, H_out);
    c0 (B, H) for an LSTM; w_ih (G*H, I); w_hh (G*H, H_out); b_hh (G*H,) or None for a layer without biases
    (the GRU adds it inside its n gate); w_hr (proj_size, H) for an LSTM with projection; lengths (B,) ints or
    None; reverse processes time from the end (each sequence from its own last step).
    Returns (output (T, B, H_out), h_n, c_n or None, workspace). The family module (``nn.functional.rnn``)
    prepares the arguments: one float dtype, C-contiguous, consistent shapes, lengths None or int64 (B,) in
    [0, T], c0 for an LSTM.
    """
    dtype = x.dtype
    T, B = x.shape[:2]
    GH = w_ih.shape[0]
    H = GH // _GATES[mode]
    has_proj = mode == "lstm" and w_hr is not None
    H_out = w_hr.shape[0] if has_proj else H
    h = h0.copy()  # the kernel updates it in place
    has_bias = b_hh is not None
    if xw_bias is None:
        xw_bias = np.zeros(GH, dtype=dtype)
    lengths, full_length = step_lengths(lengths, T, B)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    out = np.empty((T, B, H_out), dtype=dtype)
    h_prev = np.empty((T, B, H_out), dtype=dtype)
    hw = np.empty((B, GH), dtype=dtype)
    ws = RNNWorkspace(mode=mode, reverse=bool(reverse), x=x, w_ih=w_ih, w_hh=w_hh, has_bias=has_bias,
                      lengths=lengths, full_length=full_length, h_prev=h_prev, out=out)
    c = None
    blas.prepare_gemm(B, H_out, GH)  # the kernel's h @ W_hh^T of every step
    if mode == "lstm":
        c = c0.copy()
        if has_proj:
            w_hr_t = np.ascontiguousarray(w_hr.T)
            m = np.empty((T, B, H), dtype=dtype)
            h_proj = np.empty((B, H_out), dtype=dtype)
        else:
            w_hr_t = np.empty((0, 0), dtype=dtype)
            m = np.empty((0, 0, 0), dtype=dtype)
            h_proj = w_hr_t
        gates = np.empty((T, B, GH), dtype=dtype)
        c_prev = np.empty((T, B, H), dtype=dtype)
        tanh_c = np.empty((T, B, H), dtype=dtype)
        kernel = choose(_rnn_lstm.lstm_forward, B * H, _parallel.MIN_RNN_STATE)
        kernel(xw, xw_bias, w_hh_t, w_hr_t, has_proj, lengths, bool(reverse),
               h, c, out, gates, h_prev, c_prev, tanh_c, m, hw, h_proj)
        ws.gates, ws.c_prev, ws.tanh_c = gates, c_prev, tanh_c
        if has_proj:
            ws.w_hr, ws.m = w_hr, m
    elif mode == "gru":
        b_hh_arr = b_hh if has_bias else np.zeros(GH, dtype=dtype)
        gates = np.empty((T, B, GH), dtype=dtype)
        hn = np.empty((T, B, H), dtype=dtype)
        kernel = choose(_rnn_gru.gru_forward, B * H, _parallel.MIN_RNN_STATE)
        kernel(xw, xw_bias, w_hh_t, b_hh_arr, lengths, bool(reverse), h, out, gates, hn, h_prev, hw)
        ws.gates, ws.hn = gates, hn
    else:
        kernel = choose(_rnn_simple.rnn_forward, B * H, _parallel.MIN_RNN_STATE)
        kernel(xw, w_hh_t, mode == "rnn_relu", lengths, bool(reverse), h, out, h_prev, hw)
    return out, h, c, ws


def project_inputs(x, w_ih, bias=None):
    """``x @ W_ih^T + bias`` of every step: x (T, B, I), w_ih (G*H, I), bias (G*H,) or None; returns (T, B, G*H).
    One GEMM and one pass adding the bias; with one input feature an outer product, in the same pass."""
    T, B, I = x.shape
    GH = w_ih.shape[0]
    if I == 1:
        # not numpy's matmul (7 us for 97 x 1 x 51). BLAS adds each product to a zero (a -0 product gives +0), so
        # the GEMM's bits are x * w + 0; (p + 0) + b is p + (b + 0) for every p and b (they differ from p + b only
        # where both are -0): the zero joins the bias
        c = np.zeros(GH, dtype=x.dtype) if bias is None else bias + x.dtype.type(0)
        xw = np.empty((T, B, GH), dtype=x.dtype)
        _rnn_math.outer_plus_row(x.reshape(T * B), w_ih.reshape(GH), c, xw.reshape(T * B, GH))
        return xw
    xw = blas.matmul(x.reshape(T * B, I), w_ih.T)
    if bias is not None:
        _rnn_math.add_row(xw, bias)
    return xw.reshape(T, B, GH)


def lstm_cell_forward(x, xw, h, c, w_ih, w_hh, has_bias):
    """One LSTM step of a batch (``LSTMCell``): x (B, I); xw (1, B, 4H) its input projection with both biases;
    h and c (B, H); all of one float dtype, prepared by the family module. Returns (h', c', workspace): one GEMM
    and one fused gate kernel, none of the layer's time axis."""
    B, H = c.shape
    hw = blas.matmul(h, w_hh.T)
    h_new = h.copy()  # the kernel updates the state in place
    c_new = c.copy()
    gates = np.empty((1, B, 4 * H), dtype=x.dtype)
    tanh_c = np.empty((1, B, H), dtype=x.dtype)
    _rnn_lstm.lstm_cell_forward(xw, hw, h_new, c_new, h_new.reshape(1, B, H), gates, tanh_c)
    ws = RNNWorkspace(mode="lstm", x=x, w_ih=w_ih, w_hh=w_hh, has_bias=has_bias, h_prev=h,
                      c_prev=c.reshape(1, B, H), gates=gates, tanh_c=tanh_c)
    return h_new, c_new, ws


def lstm_cell_backward(ws, grad_h=None, grad_c=None):
    """Backpropagate through ``lstm_cell_forward``; returns ``RNNGrads`` (no w_hr). grad_h, grad_c (B, H) or
    None (zero)."""
    B, H = ws.h_prev.shape
    dtype = ws.x.dtype
    dh = _read_only_grad(grad_h, (B, H), dtype)
    dc = _grad_or_zeros(grad_c, (B, H), dtype)
    dgates = np.empty((B, 4 * H), dtype=dtype)
    bias_sums = _kernel_bias_sums(ws, B, 4 * H)
    _rnn_lstm.lstm_cell_backward(dh, dc, ws.gates, ws.c_prev, ws.tanh_c, dgates.reshape(1, B, 4 * H), bias_sums)
    return _cell_grads(ws, dgates, dgates, bias_sums=(bias_sums,))._replace(c0=dc)


def gru_cell_forward(x, xw, h, w_ih, w_hh, b_hh, has_bias):
    """One GRU step of a batch (``GRUCell``): x (B, I); xw (1, B, 3H) its input projection with b_ih; h (B, H);
    b_hh (3H,) (zeros without biases); all of one float dtype, prepared by the family module. Returns
    (h', workspace): one GEMM and one fused gate kernel, none of the layer's time axis."""
    B, H = h.shape
    hw = blas.matmul(h, w_hh.T)
    h_new = h.copy()  # the kernel updates the state in place
    gates = np.empty((1, B, 3 * H), dtype=x.dtype)
    hn = np.empty((1, B, H), dtype=x.dtype)
    _rnn_gru.gru_cell_forward(xw, hw, b_hh, h_new, h_new.reshape(1, B, H), gates, hn)
    ws = RNNWorkspace(mode="gru", x=x, w_ih=w_ih, w_hh=w_hh, has_bias=has_bias, h_prev=h, gates=gates, hn=hn)
    return h_new, ws


def gru_cell_backward(ws, grad_h=None):
    """Backpropagate through ``gru_cell_forward``; returns ``RNNGrads`` (no c0, no w_hr). grad_h (B, H) or None
    (zero)."""
    B, H = ws.h_prev.shape
    dh = _read_only_grad(grad_h, (B, H), ws.x.dtype)
    dgates_x = np.empty((B, 3 * H), dtype=dh.dtype)
    dgates_h = np.empty((B, 3 * H), dtype=dh.dtype)
    dh_direct = np.empty((B, H), dtype=dh.dtype)
    bias_sums = (_kernel_bias_sums(ws, B, 3 * H), _kernel_bias_sums(ws, B, 3 * H))
    _rnn_gru.gru_cell_backward(dh, ws.gates, ws.hn, ws.h_prev.reshape(1, B, H), dgates_x.reshape(1, B, 3 * H),
                               dgates_h.reshape(1, B, 3 * H), dh_direct, *bias_sums)
    return _cell_grads(ws, dgates_x, dgates_h, dh_direct, bias_sums)


def rnn_cell_forward(mode, x, xw, h, w_ih, w_hh, has_bias):
    """One Elman RNN step of a batch (``RNNCell``): mode "rnn_tanh" or "rnn_relu"; x (B, I); xw (1, B, H) its
    input projection with both biases; h (B, H); all of one float dtype, prepared by the family module.
    Returns (h', workspace)."""
    B, H = h.shape
    hw = blas.matmul(h, w_hh.T)
    h_new = np.empty_like(h)
    _rnn_simple.rnn_cell_forward(xw, hw, mode == "rnn_relu", h_new)
    ws = RNNWorkspace(mode=mode, x=x, w_ih=w_ih, w_hh=w_hh, has_bias=has_bias, h_prev=h,
                      out=h_new.reshape(1, B, H))
    return h_new, ws


def rnn_cell_backward(ws, grad_h=None):
    """Backpropagate through ``rnn_cell_forward``; returns ``RNNGrads`` (no c0, no w_hr). grad_h (B, H) or None
    (zero)."""
    B, H = ws.h_prev.shape
    dh = _read_only_grad(grad_h, (B, H), ws.x.dtype)
    dpre = np.empty((B, H), dtype=dh.dtype)
    bias_sums = _kernel_bias_sums(ws, B, H)
    _rnn_simple.rnn_cell_backward(dh, ws.mode == "rnn_relu", ws.out, dpre.reshape(1, B, H), bias_sums)
    return _cell_grads(ws, dpre, dpre, bias_sums=(bias_sums,))


def _kernel_bias_sums(ws, B, GH):
    """The array a cell's backward kernel fills with its bias gradient (the column sums of its (B, G*H)
    pre-activation gradients, as ``_rnn_math.column_sums``), in the pass that writes them: a call of its own
    cost ~2 us. Empty, so the kernel leaves it, where ``_row_sum`` takes numpy's sum (no rows, one column) or
    there is no bias."""
    return np.empty(GH if ws.has_bias and B > 0 and GH > 1 else 0, dtype=ws.x.dtype)


def _cell_grads(ws, dgates_x, dgates_h, dh_direct=None, bias_sums=()):
    """``RNNGrads`` of one cell step from its input-side and hidden-side pre-activation gradients (B, G*H);
    ``dh_direct`` (B, H): the part of h's gradient that bypasses the gates (a GRU's), or None; ``bias_sums``:
    the column sums of dgates_x (and of dgates_h where they differ) from ``_kernel_bias_sums``.

    The products go through ``blas.matmul``: ~0.4 us a call over numpy's matmul, and float64 ones from
    ``blas.MKL_GEMM`` run on MKL where it is installed (0.7-0.9x OpenBLAS's time on an LSTMCell's 97 x 51 x 204)."""
    grad_x = None if ws.skip_grad_x else blas.matmul(dgates_x, ws.w_ih)
    grad_w_ih = blas.matmul(dgates_x.T, ws.x)
    grad_h0 = None
    if not ws.skip_grad_h:
        grad_h0 = blas.matmul(dgates_h, ws.w_hh)
        if dh_direct is not None:
            grad_h0 += dh_direct
    grad_w_hh = blas.matmul(dgates_h.T, ws.h_prev)
    grad_b_ih = grad_b_hh = None
    if ws.has_bias:
        summed = bias_sums and bias_sums[0].size
        grad_b_ih = bias_sums[0] if summed else _row_sum(dgates_x)
        if dgates_h is dgates_x:
            grad_b_hh = grad_b_ih.copy()
        else:
            grad_b_hh = bias_sums[1] if summed else _row_sum(dgates_h)
    return RNNGrads(grad_x, grad_h0, None, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh, None)


def _row_sum(d):
    """``d.sum(axis=0)`` of a C-contiguous (N, G*H) gradient, with numpy's bits (see ``_rnn_math.column_sums``)."""
    if d.shape[0] == 0 or d.shape[1] < 2:
        return d.sum(axis=0)
    out = np.empty(d.shape[1], dtype=d.dtype)
    _rnn_math.column_sums(d, out)
    return out


def _grad_or_zeros(g, shape, dtype):
    if g is None:
        return np.zeros(shape, dtype=dtype)
    return np.array(g, dtype=dtype, order="C")  # a copy: kernels update it in place


def _read_only_grad(g, shape, dtype):
    """``g`` for a kernel that only reads it: copied only where it is not a writeable C-contiguous array of
    ``dtype`` already (Numba would compile the kernel anew for a read-only one)."""
    if g is not None and g.dtype == dtype and g.flags.c_contiguous and g.flags.writeable:
        return g
    return _grad_or_zeros(g, shape, dtype)


def rnn_layer_backward(ws, grad_output=None, grad_h_n=None, grad_c_n=None):
    """Backpropagate through one layer direction; returns ``RNNGrads``.

    Any of grad_output (T, B, H_out), grad_h_n (B, H_out), grad_c_n (B, H) may be
    None (zero). Output positions past a sequence's length get no gradient.
    """
    x, w_hh = ws.x, ws.w_hh
    T, B, I = x.shape
    dtype = x.dtype
    GH, H_out = w_hh.shape
    H = GH // _GATES[ws.mode]
    lengths, reverse = ws.lengths, ws.reverse
    grad_out = _read_only_grad(grad_output, (T, B, H_out), dtype)
    if not ws.full_length:
        # padded positions are not outputs of the packed sequence (a new array: the caller's stays as it is)
        grad_out = grad_out * (np.arange(T)[:, None] < lengths[None, :])[:, :, None]
    dh = _grad_or_zeros(grad_h_n, (B, H_out), dtype)
    dh_gemm = np.empty((B, H_out), dtype=dtype)
    dc = grad_w_hr = None
    blas.prepare_gemm(B, GH, H_out)  # the kernel's dgates @ W_hh of every step
    if ws.mode == "lstm":
        has_proj = ws.w_hr is not None
        dc = _grad_or_zeros(grad_c_n, (B, H), dtype)
        dgates = np.empty((T, B, GH), dtype=dtype)
        dh_total = np.empty((B, H_out), dtype=dtype)
        dm = np.empty((B, H), dtype=dtype)
        w_hr = ws.w_hr if has_proj else np.empty((0, 0), dtype=dtype)
        dh_total_all = np.empty((T, B, H_out) if has_proj else (0, 0, 0), dtype=dtype)
        kernel = choose(_rnn_lstm.lstm_backward, B * H, _parallel.MIN_RNN_STATE)
        kernel(grad_out, w_hh, w_hr, has_proj, lengths, reverse, ws.gates, ws.c_prev, ws.tanh_c,
               dh, dc, dgates, dh_total_all, dh_total, dm, dh_gemm)
        if has_proj:
            grad_w_hr = blas.matmul(dh_total_all.reshape(T * B, H_out).T, ws.m.reshape(T * B, H))
        dgates_x = dgates_h = dgates
    elif ws.mode == "gru":
        dgates_x = np.empty((T, B, GH), dtype=dtype)
        dgates_h = np.empty((T, B, GH), dtype=dtype)
        dh_direct = np.empty((B, H), dtype=dtype)
        kernel = choose(_rnn_gru.gru_backward, B * H, _parallel.MIN_RNN_STATE)
        kernel(grad_out, w_hh, lengths, reverse, ws.gates, ws.hn, ws.h_prev,
               dh, dgates_x, dgates_h, dh_direct, dh_gemm)
    else:
        dgates_x = dgates_h = np.empty((T, B, GH), dtype=dtype)
        dh_total = np.empty((B, H), dtype=dtype)
        kernel = choose(_rnn_simple.rnn_backward, B * H, _parallel.MIN_RNN_STATE)
        kernel(grad_out, w_hh, ws.mode == "rnn_relu", lengths, reverse, ws.out, dh, dgates_x,
               dh_total, dh_gemm)

    # Weight, bias and input gradients: one GEMM (or sum) each over all steps.
    dgx = dgates_x.reshape(T * B, GH)
    dgh = dgates_h.reshape(T * B, GH)
    grad_x = blas.matmul(dgx, ws.w_ih).reshape(T, B, I)
    grad_w_ih = blas.matmul(dgx.T, x.reshape(T * B, I))
    grad_w_hh = blas.matmul(dgh.T, ws.h_prev.reshape(T * B, H_out))
    grad_b_ih = grad_b_hh = None
    if ws.has_bias:
        grad_b_ih = _row_sum(dgx)
        grad_b_hh = grad_b_ih.copy() if dgh is dgx else _row_sum(dgh)
    return RNNGrads(grad_x, dh, dc, grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh, grad_w_hr)
