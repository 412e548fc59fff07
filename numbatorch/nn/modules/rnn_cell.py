"""Single-step recurrent cells (RNNCell, LSTMCell, GRUCell), each one fused cell op
(``functional.rnn.rnn_cell``, ``lstm_cell``, ``gru_cell``): a cell-by-cell loop pays no layer machinery (time
axis, lengths, workspace of T steps) per step."""
import math

from ... import _creation
from .. import init
from ..._ops._dtype_args import scalar_name
from ..functional.rnn import gru_cell, lstm_cell, rnn_cell
from ..parameter import Parameter
from .module import Module


class RNNCellBase(Module):
    """Parameters of a single-step cell: weight_ih, weight_hh, bias_ih, bias_hh."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, mode, input, hx, cx):
        """One time step; returns (h', c'). The checks read the arrays' shapes once: a cell-by-cell loop pays
        them every step."""
        x_ndim = input._data.ndim
        if x_ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {x_ndim}D instead")
        if hx is not None and hx._data.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        is_batched = x_ndim == 2
        if not is_batched:
            input = input.unsqueeze(0)
            hx = hx.unsqueeze(0) if hx is not None else None
            cx = cx.unsqueeze(0) if cx is not None else None
        batch, features = input._data.shape
        if features != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {features} expected {self.input_size}")
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        w_dtype = weights[0]._data.dtype
        for state in (input, hx, cx):
            # PyTorch's cell multiplies input and state by the weights: its matmul names the first mismatch
            if state is not None and state._data.dtype != w_dtype:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {scalar_name(state._data.dtype)} "
                                   f"and {scalar_name(w_dtype)}")
        if hx is not None and hx._data.shape != (batch, self.hidden_size):
            raise RuntimeError(f"Input batch size {batch} doesn't match hidden0 batch size {hx.size(0)}"
                               if hx.size(0) != batch else
                               f"hidden0 has inconsistent hidden_size: got {hx.size(1)}, expected "
                               f"{self.hidden_size}")
        c = None
        if mode == "lstm":
            h, c = lstm_cell(input, hx, cx, *weights)
        elif mode == "gru":
            h = gru_cell(input, hx, *weights)
        else:
            h = rnn_cell(mode, input, hx, *weights)
        if not is_batched:
            h = h.squeeze(0)
            c = c.squeeze(0) if c is not None else None
        return h, c


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)`` (or ReLU).

    Args:
        input_size: ``H_in``, the number of input features.
        hidden_size: ``H_out``, the number of hidden features.
        bias: learn ``bias_ih`` and ``bias_hh``. Default: ``True``.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, hx=None)`` (zeros when missing).

    Shape:
        - Input: ``(N, H_in)`` or ``(H_in,)``.
        - hx: ``(N, H_out)`` or ``(H_out,)``.
        - Output: ``(N, H_out)`` or ``(H_out,)``, the next hidden state.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._step("rnn_" + self.nonlinearity, input, hx, None)[0]


class LSTMCell(RNNCellBase):
    """One step of an LSTM (gate order ``i, f, g, o``); returns ``(h_1, c_1)``.

    Args:
        input_size: ``H_in``, the number of input features.
        hidden_size: ``H_out``, the number of hidden features.
        bias: learn ``bias_ih`` and ``bias_hh``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, (h_0, c_0))``, or ``m(input)`` to start from zeros.

    Shape:
        - Input: ``(N, H_in)`` or ``(H_in,)``.
        - h_0, c_0: ``(N, H_out)`` or ``(H_out,)``.
        - Output: ``(h_1, c_1)``, each ``(N, H_out)`` or ``(H_out,)``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        h0, c0 = (None, None) if hx is None else hx
        return self._step("lstm", input, h0, c0)


class GRUCell(RNNCellBase):
    """One step of a GRU (gate order ``r, z, n``).

    Args:
        input_size: ``H_in``, the number of input features.
        hidden_size: ``H_out``, the number of hidden features.
        bias: learn ``bias_ih`` and ``bias_hh``. Default: ``True``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, hx=None)`` (zeros when missing).

    Shape:
        - Input: ``(N, H_in)`` or ``(H_in,)``.
        - hx: ``(N, H_out)`` or ``(H_out,)``.
        - Output: ``(N, H_out)`` or ``(H_out,)``, the next hidden state.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("gru", input, hx, None)[0]
