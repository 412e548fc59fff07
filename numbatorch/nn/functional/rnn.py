"""Differentiable recurrent-layer op: one direction of one layer over all time steps, as one graph node.

``rnn_layer`` prepares the arrays for every device (one float dtype, C-contiguous, checked shapes, the input
projection of all steps as one GEMM) and wraps ``backends.cpu.rnn.rnn_layer_forward``; its node's backward is
one call of ``rnn_layer_backward`` (BPTT in a fused kernel). ``lstm_cell``, ``gru_cell`` and ``rnn_cell`` are
one ``LSTMCell``, ``GRUCell`` and ``RNNCell`` step as one node each. Also the two re-layout ops that
PackedSequence needs (packed rows <-> padded (T, B, *) tensor), each one node.
"""
import numpy as np

from ..._ops._half_precision import computes_in_float32
from ..._ops._util import record, zeros
from ...autograd.graph import Node, backward_by_recompute
from ...backends import kernel_family

_rnn = kernel_family("rnn")
_blas = kernel_family("blas")

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


class MkldnnRnnLayerBackward0(Node):
    """Backward of one layer direction; outputs (output, h_n[, c_n]). Named like PyTorch's CPU LSTM node."""

    __slots__ = ("ws", "num_outputs", "initial")

    def backward(self, grads):
        grad_out, grad_h = grads[0], grads[1]
        grad_c = grads[2] if self.num_outputs > 2 else None
        g = _rnn.rnn_layer_backward(self.ws, grad_out, grad_h, grad_c)
        # inputs: (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
        return g.x, g.h0, g.c0, g.w_ih, g.w_hh, g.b_ih, g.b_hh, g.w_hr

    def backward_graph(self, grads):
        ws = self.ws
        h0, c0, b_ih, b_hh = self.initial
        saved = (ws.x, h0, c0, ws.w_ih, ws.w_hh, b_ih, b_hh, ws.w_hr)
        return backward_by_recompute(self, lambda *args: _recurrence(ws, *args), saved, grads)


def _recurrence(ws, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr):
    """The layer's steps from differentiable ops (PyTorch's gate formulas), for differentiating it again."""
    from ..._ops.activation import relu, sigmoid, tanh
    from ..._ops.joining import stack
    from ..._ops.ternary import where
    from ..._tensor import Tensor
    T = x.shape[0]
    outputs = [None] * T
    for t in (range(T - 1, -1, -1) if ws.reverse else range(T)):
        gx = x[t] @ w_ih.t()
        gh = h @ w_hh.t()
        if b_ih is not None:
            gx, gh = gx + b_ih, gh + b_hh
        c_new = None
        if ws.mode == "lstm":
            i, f, g, o = (gx + gh).chunk(4, 1)
            c_new = sigmoid(f) * c + sigmoid(i) * tanh(g)
            h_new = sigmoid(o) * tanh(c_new)
            if w_hr is not None:
                h_new = h_new @ w_hr.t()
        elif ws.mode == "gru":
            xr, xz, xn = gx.chunk(3, 1)
            hr, hz, hn = gh.chunk(3, 1)
            z = sigmoid(xz + hz)
            h_new = (1 - z) * tanh(xn + sigmoid(xr + hr) * hn) + z * h
        else:
            h_new = (tanh if ws.mode == "rnn_tanh" else relu)(gx + gh)
        if ws.full_length:
            h, c, outputs[t] = h_new, c_new, h_new
        else:  # steps past a sequence's length: zero output, state unchanged
            valid = Tensor._make((ws.lengths > t)[:, None])
            h = where(valid, h_new, h)
            c = None if c_new is None else where(valid, c_new, c)
            outputs[t] = h_new * valid
    out = stack(outputs, 0)
    return (out, h) if c is None else (out, h, c)


def _arr(t):
    return None if t is None else t._data


def _check_shape(name, a, shape):
    if a.shape != shape:
        raise ValueError(f"Expected {name} size {shape}, got {tuple(a.shape)}")


def _check_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, lengths):
    """Check one layer direction's arrays once, above the kernels (which trust them); returns ``lengths`` as
    int64 (B,) or None."""
    if x.ndim != 3:
        raise ValueError(f"input must have 3 dimensions (T, B, I), got {x.ndim}")
    T, B, I = x.shape
    GH = w_ih.shape[0]
    H = GH // _GATES[mode]
    H_out = w_hr.shape[0] if w_hr is not None else H
    _check_shape("weight_ih", w_ih, (_GATES[mode] * H, I))
    _check_shape("weight_hh", w_hh, (GH, H_out))
    _check_shape("hidden[0]" if mode == "lstm" else "hidden", h0, (B, H_out))
    if c0 is not None:
        _check_shape("hidden[1]", c0, (B, H))
    if (b_ih is None) != (b_hh is None):
        raise ValueError("b_ih and b_hh must both be given or both be None")
    if b_ih is not None:
        _check_shape("bias_ih", b_ih, (GH,))
        _check_shape("bias_hh", b_hh, (GH,))
    if w_hr is not None:
        _check_shape("weight_hr", w_hr, (H_out, H))
    if lengths is None:
        return None
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    if lengths.shape != (B,):
        raise ValueError(f"lengths must have shape ({B},), got {tuple(lengths.shape)}")
    if B and (lengths.min() < 0 or lengths.max() > T):
        raise ValueError(f"lengths must lie in [0, {T}], got {lengths.tolist()}")
    return lengths


def _as_dtype(a, dtype):
    """``a`` as a C-contiguous array of ``dtype`` on its own device (``a`` itself when it already is one)."""
    if a is None or (a.dtype == dtype and a.flags.c_contiguous):
        return a
    return a.astype(dtype, order="C")


def input_projection(mode, x, w_ih, b_ih=None, b_hh=None):
    """``x @ W_ih^T`` of every step (T, B, G*H) as one GEMM (or outer product) on x's device, with the biases folded
    in that add to it: both, or only b_ih for a GRU (its b_hn sits inside ``r * (h W_hn^T + b_hn)``); none when
    not given."""
    bias = None
    if b_ih is not None:
        bias = b_ih if mode == "gru" else b_ih + b_hh
    if isinstance(x, np.ndarray):
        return _rnn.project_inputs(x, w_ih, bias)
    T, B, I = x.shape
    xw = _blas.matmul(x.reshape(T * B, I), w_ih.T).reshape(T, B, w_ih.shape[0])
    if bias is not None:
        xw += bias
    return xw


@computes_in_float32
def rnn_layer(mode, input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, lengths=None, reverse=False):
    """One direction of one recurrent layer over all steps.

    mode: "rnn_tanh", "rnn_relu", "lstm" or "gru"; input (T, B, I); hx (B, H_out) or None (zeros);
    cx (B, H) or None for an LSTM; lengths (B,) ints (a packed batch) or None. Returns
    (output (T, B, H_out), h_n, c_n or None) as Tensors; steps past a sequence's length give zero output
    and leave its state unchanged.
    """
    if mode not in _GATES:
        raise ValueError(f"Unknown recurrent mode '{mode}', expected one of {tuple(_GATES)}")
    x = input._data
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    x = _as_dtype(x, dtype)
    B = x.shape[1]
    H = w_ih.shape[0] // _GATES[mode]
    H_out = w_hr.shape[0] if w_hr is not None else H
    h0 = _as_dtype(hx._data, dtype) if hx is not None else np.zeros_like(x, shape=(B, H_out))
    c0 = None
    if mode == "lstm":
        c0 = _as_dtype(cx._data, dtype) if cx is not None else np.zeros_like(x, shape=(B, H))
    w_ih_a, w_hh_a, b_ih_a, b_hh_a, w_hr_a = (_as_dtype(_arr(w), dtype) for w in (w_ih, w_hh, b_ih, b_hh, w_hr))
    lengths = _check_layer(mode, x, h0, c0, w_ih_a, w_hh_a, b_ih_a, b_hh_a, w_hr_a, lengths)
    xw_bias = None  # LSTM and GRU gate loops add the biases: no pass of its own over the projection
    if mode in ("lstm", "gru") and b_ih_a is not None:
        xw_bias = b_ih_a if mode == "gru" else b_ih_a + b_hh_a
        xw = input_projection(mode, x, w_ih_a)
    else:
        xw = input_projection(mode, x, w_ih_a, b_ih_a, b_hh_a)
    out, h_n, c_n, ws = _rnn.rnn_layer_forward(mode, x, xw, h0, w_ih_a, w_hh_a, b_hh_a, c0, w_hr_a, lengths,
                                               reverse, xw_bias)
    inputs = (input, hx, cx, w_ih, w_hh, b_ih, b_hh, w_hr)
    # the initial state and biases as given, for a differentiable backward (create_graph=True)
    initial = (h0, c0, b_ih_a, b_hh_a)
    if c_n is None:
        return (*record((out, h_n), MkldnnRnnLayerBackward0, inputs, reads=inputs, ws=ws, initial=initial), None)
    return record((out, h_n, c_n), MkldnnRnnLayerBackward0, inputs, reads=inputs, ws=ws, initial=initial)


class ThnnFusedLstmCellBackward0(Node):
    """Backward of one ``LSTMCell`` step; outputs (h', c'). Named like PyTorch's fused LSTM cell node."""

    __slots__ = ("ws", "saved")
    num_outputs = 2

    def backward(self, grads):
        g = _rnn.lstm_cell_backward(self.ws, grads[0], grads[1])
        # inputs: (x, h, c, w_ih, w_hh, b_ih, b_hh)
        return g.x, g.h0, g.c0, g.w_ih, g.w_hh, g.b_ih, g.b_hh

    def backward_graph(self, grads):
        from ..._functional_aliases import lstm_cell as lstm_cell_ops

        def step(x, h, c, *weights):
            return lstm_cell_ops(x, (h, c), *weights)
        return backward_by_recompute(self, step, self.saved, grads)


@computes_in_float32
def lstm_cell(input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step of a batch as one graph node: input (B, I), hx and cx (B, H) or None (zeros), all of one
    float dtype. Returns (h', c')."""
    x, h, w_ih_a, w_hh_a, b_ih_a, b_hh_a = _cell_arrays(input, hx, (w_ih, w_hh, b_ih, b_hh))
    c = _as_dtype(cx._data, x.dtype) if cx is not None else np.zeros_like(x, shape=(x.shape[0], w_hh_a.shape[1]))
    _check_layer("lstm", x[None], h, c, w_ih_a, w_hh_a, b_ih_a, b_hh_a, None, None)
    xw = input_projection("lstm", x[None], w_ih_a, b_ih_a, b_hh_a)
    h_new, c_new, ws = _rnn.lstm_cell_forward(x, xw, h, c, w_ih_a, w_hh_a, b_ih is not None)
    _skip_needless_grads(ws, input, hx)
    inputs = (input, hx, cx, w_ih, w_hh, b_ih, b_hh)
    return record((h_new, c_new), ThnnFusedLstmCellBackward0, inputs, reads=inputs, ws=ws,
                  saved=(x, h, c, w_ih_a, w_hh_a, b_ih_a, b_hh_a))


def _skip_needless_grads(ws, input, hx):
    """Mark the products of a cell's backward that no gradient needs: x's (an input sequence) and h's (a zero
    start state), as PyTorch leaves them out."""
    ws.skip_grad_x = not input.requires_grad
    ws.skip_grad_h = hx is None or not hx.requires_grad


def _cell_arrays(input, hx, weights):
    """A cell's arrays in input's dtype, C-contiguous: x (B, I), h (B, H) (zeros when ``hx`` is None) and the
    weights (None where absent)."""
    x = input._data
    x = _as_dtype(x, x.dtype)
    w_ih, w_hh, b_ih, b_hh = (_as_dtype(_arr(w), x.dtype) for w in weights)
    h = _as_dtype(hx._data, x.dtype) if hx is not None else np.zeros_like(x, shape=(x.shape[0], w_hh.shape[1]))
    return x, h, w_ih, w_hh, b_ih, b_hh


class ThnnFusedGruCellBackward0(Node):
    """Backward of one ``GRUCell`` step. Named like PyTorch's fused GRU cell node."""

    __slots__ = ("ws", "saved")

    def backward(self, grad):
        g = _rnn.gru_cell_backward(self.ws, grad)
        # inputs: (x, h, w_ih, w_hh, b_ih, b_hh)
        return g.x, g.h0, g.w_ih, g.w_hh, g.b_ih, g.b_hh

    def backward_graph(self, grad):
        from ..._functional_aliases import gru_cell as gru_cell_ops
        return backward_by_recompute(self, gru_cell_ops, self.saved, grad)


@computes_in_float32
def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step of a batch as one graph node: input (B, I), hx (B, H) or None (zeros), all of one float
    dtype. Returns h'."""
    return _hidden_cell("gru", ThnnFusedGruCellBackward0, input, hx, w_ih, w_hh, b_ih, b_hh)


class RnnCellBackward0(Node):
    """Backward of one ``RNNCell`` step (tanh or ReLU) as one node (PyTorch records its linear and
    activation ops)."""

    __slots__ = ("ws", "saved")

    def backward(self, grad):
        g = _rnn.rnn_cell_backward(self.ws, grad)
        # inputs: (x, h, w_ih, w_hh, b_ih, b_hh)
        return g.x, g.h0, g.w_ih, g.w_hh, g.b_ih, g.b_hh

    def backward_graph(self, grad):
        from ..._functional_aliases import rnn_relu_cell, rnn_tanh_cell
        step = rnn_relu_cell if self.ws.mode == "rnn_relu" else rnn_tanh_cell
        return backward_by_recompute(self, step, self.saved, grad)


@computes_in_float32
def rnn_cell(mode, input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step of a batch as one graph node: mode "rnn_tanh" or "rnn_relu"; input (B, I), hx (B, H)
    or None (zeros), all of one float dtype. Returns h'."""
    return _hidden_cell(mode, RnnCellBackward0, input, hx, w_ih, w_hh, b_ih, b_hh)


def _hidden_cell(mode, node, input, hx, w_ih, w_hh, b_ih, b_hh):
    """One step of a cell with a hidden state only ("gru", "rnn_tanh" or "rnn_relu"), recorded as ``node``."""
    x, h, w_ih_a, w_hh_a, b_ih_a, b_hh_a = _cell_arrays(input, hx, (w_ih, w_hh, b_ih, b_hh))
    _check_layer(mode, x[None], h, None, w_ih_a, w_hh_a, b_ih_a, b_hh_a, None, None)
    xw = input_projection(mode, x[None], w_ih_a, b_ih_a, b_hh_a)
    if mode == "gru":
        b_hh_k = b_hh_a if b_hh_a is not None else np.zeros_like(x, shape=w_hh_a.shape[:1])
        h_new, ws = _rnn.gru_cell_forward(x, xw, h, w_ih_a, w_hh_a, b_hh_k, b_ih is not None)
    else:
        h_new, ws = _rnn.rnn_cell_forward(mode, x, xw, h, w_ih_a, w_hh_a, b_ih is not None)
    _skip_needless_grads(ws, input, hx)
    inputs = (input, hx, w_ih, w_hh, b_ih, b_hh)
    return record(h_new, node, inputs, reads=inputs, ws=ws, saved=(x, h, w_ih_a, w_hh_a, b_ih_a, b_hh_a))


def _packed_positions(batch_sizes):
    """(time index, batch index) of every row of a packed tensor, in packed order."""
    batch_sizes = np.asarray(batch_sizes, dtype=np.int64)
    t_idx = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    starts = np.repeat(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)
    b_idx = np.arange(t_idx.size) - starts
    return t_idx, b_idx


class PackedToPaddedBackward0(Node):
    __slots__ = ("t_idx", "b_idx")

    def backward(self, grad):
        return grad[self.t_idx, self.b_idx]

    def backward_graph(self, grad):
        # a gather, linear in grad: its own gradient scatters back (the other re-layout's backward)
        return record(self.backward(grad._data), PaddedToPackedBackward0, (grad,), t_idx=self.t_idx,
                      b_idx=self.b_idx, shape=grad._data.shape)


class PaddedToPackedBackward0(Node):
    __slots__ = ("t_idx", "b_idx", "shape")

    def backward(self, grad):
        out = zeros(self.shape, grad.dtype, like=grad)
        out[self.t_idx, self.b_idx] = grad
        return out

    def backward_graph(self, grad):
        return record(self.backward(grad._data), PackedToPaddedBackward0, (grad,), t_idx=self.t_idx,
                      b_idx=self.b_idx)


def packed_to_padded(data, batch_sizes, total_length=None, padding_value=0.0):
    """Packed rows (N, *) with ``batch_sizes`` -> a time-major padded tensor (T, B, *)."""
    t_idx, b_idx = _packed_positions(batch_sizes)
    T = len(batch_sizes) if total_length is None else total_length
    B = int(batch_sizes[0]) if len(batch_sizes) else 0
    x = data._data
    out = np.full_like(x, padding_value, shape=(T, B) + x.shape[1:], order="C")
    out[t_idx, b_idx] = x
    return record(out, PackedToPaddedBackward0, (data,), t_idx=t_idx, b_idx=b_idx)


def padded_to_packed(padded, batch_sizes):
    """A time-major padded tensor (T, B, *) -> its packed rows for ``batch_sizes``."""
    t_idx, b_idx = _packed_positions(batch_sizes)
    x = padded._data
    return record(np.ascontiguousarray(x[t_idx, b_idx], like=x), PaddedToPackedBackward0, (padded,), t_idx=t_idx,
                  b_idx=b_idx, shape=x.shape)


__all__ = []
