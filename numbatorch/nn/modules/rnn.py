"""Recurrent layers (RNN, LSTM, GRU); their shared base is in ``rnn_base``, the single-step cells in ``rnn_cell``
(re-exported here, as in PyTorch's ``nn.modules.rnn``).

Each layer direction runs as one graph node (``functional.rnn.rnn_layer``): one GEMM for the input
projection of all steps, then a fused Numba kernel over time, forward and BPTT backward.
"""
from .rnn_base import RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase


class RNN(RNNBase):
    """Multi-layer Elman RNN: ``h_t = tanh(x_t @ W_ih.T + b_ih + h_(t-1) @ W_hh.T + b_hh)`` (or ReLU).

    Args:
        input_size: ``H_in``, the number of features of each input step.
        hidden_size: ``H_out``, the number of features of the hidden state.
        num_layers: the number of stacked recurrent layers; each takes the previous one's output. Default: ``1``.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        bias: learn the biases ``b_ih`` and ``b_hh``. Default: ``True``.
        batch_first: input and output are ``(N, L, *)`` instead of ``(L, N, *)`` (the states are not affected).
            Default: ``False``.
        dropout: if non-zero, dropout with this probability on the outputs of every layer but the last, in
            training. Default: ``0.0``.
        bidirectional: run a second layer backwards over the sequence and concatenate both outputs.
            Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, hx=None)``; a missing state starts at zeros.
    ``input`` may also be a ``PackedSequence``; the output is then one too.

    Shape:
        ``L`` is the sequence length, ``N`` the batch size, ``D`` 2 if bidirectional else 1.

        - Input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first=True``, or ``(L, H_in)`` unbatched.
        - h_0 (``hx``): ``(D * num_layers, N, H_out)`` or ``(D * num_layers, H_out)`` unbatched.
        - Output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first=True``): the last layer's
          state at every step.
        - h_n: the final state of every layer and direction, the shape of ``h_0``.

    Returns ``(output, h_n)``.

    Attributes:
        weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}: the parameters of layer ``k`` (suffix
            ``_reverse`` for the backward direction), all initialised from
            ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

    Examples::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward_single_state(input, hx)


class GRU(RNNBase):
    """Multi-layer gated recurrent unit, with PyTorch's gate order ``r, z, n``.

    Per step: ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``, ``z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``.

    Args:
        input_size: ``H_in``, the number of features of each input step.
        hidden_size: ``H_out``, the number of features of the hidden state.
        num_layers: the number of stacked recurrent layers; each takes the previous one's output. Default: ``1``.
        bias: learn the biases ``b_ih`` and ``b_hh``. Default: ``True``.
        batch_first: input and output are ``(N, L, *)`` instead of ``(L, N, *)`` (the states are not affected).
            Default: ``False``.
        dropout: if non-zero, dropout with this probability on the outputs of every layer but the last, in
            training. Default: ``0.0``.
        bidirectional: run a second layer backwards over the sequence and concatenate both outputs.
            Default: ``False``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, hx=None)``; a missing state starts at zeros.
    ``input`` may also be a ``PackedSequence``; the output is then one too.

    Shape:
        ``L`` is the sequence length, ``N`` the batch size, ``D`` 2 if bidirectional else 1.

        - Input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first=True``, or ``(L, H_in)`` unbatched.
        - h_0 (``hx``): ``(D * num_layers, N, H_out)`` or ``(D * num_layers, H_out)`` unbatched.
        - Output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first=True``): the last layer's
          state at every step.
        - h_n: the final state of every layer and direction, the shape of ``h_0``.

    Returns ``(output, h_n)``.

    Attributes:
        weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}: the parameters of layer ``k`` (suffix
            ``_reverse`` for the backward direction), all initialised from
            ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_single_state(input, hx)


class LSTM(RNNBase):
    """Multi-layer long short-term memory, with PyTorch's gate order ``i, f, g, o``.

    Per step: ``c' = f * c + i * g`` and ``h' = o * tanh(c')``, where ``i, f, o`` are sigmoid gates and ``g`` a tanh
    gate of ``W_i* x + b_i* + W_h* h + b_h*``; with ``proj_size > 0``, ``h'`` is then projected by ``W_hr``.

    Args:
        input_size: ``H_in``, the number of features of each input step.
        hidden_size: ``H_cell``, the number of features of the cell (and unprojected hidden) state.
        num_layers: the number of stacked recurrent layers; each takes the previous one's output. Default: ``1``.
        bias: learn the biases ``b_ih`` and ``b_hh``. Default: ``True``.
        batch_first: input and output are ``(N, L, *)`` instead of ``(L, N, *)`` (the states are not affected).
            Default: ``False``.
        dropout: if non-zero, dropout with this probability on the outputs of every layer but the last, in
            training. Default: ``0.0``.
        bidirectional: run a second layer backwards over the sequence and concatenate both outputs.
            Default: ``False``.
        proj_size: if positive, project the hidden state to this size (``H_out = proj_size``). Default: ``0``.
        device: accepted for PyTorch compatibility; parameters live on the CPU.
        dtype: dtype of the parameters. Default: the default dtype.

    Call it as ``m(input, (h_0, c_0))`` or ``m(input)``; a missing state starts at zeros.
    ``input`` may also be a ``PackedSequence``; the output is then one too.

    Shape:
        ``L`` is the sequence length, ``N`` the batch size, ``D`` 2 if bidirectional else 1.

        - Input: ``(L, N, H_in)``, ``(N, L, H_in)`` with ``batch_first=True``, or ``(L, H_in)`` unbatched.
        - h_0: ``(D * num_layers, N, H_out)`` or ``(D * num_layers, H_out)`` unbatched.
        - c_0: ``(D * num_layers, N, H_cell)`` or ``(D * num_layers, H_cell)``, with ``H_cell = hidden_size``.
        - Output: ``(L, N, D * H_out)`` (``(N, L, D * H_out)`` with ``batch_first=True``): the last layer's
          state at every step.
        - (h_n, c_n): the final states of every layer and direction, the shapes of ``h_0`` and ``c_0``.

    Returns ``(output, (h_n, c_n))``. ``H_out`` is ``proj_size`` if positive, else ``hidden_size``.

    Attributes:
        weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}: the parameters of layer ``k`` (suffix
            ``_reverse`` for the backward direction), all initialised from
            ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

    Examples::

        >>> lstm = nn.LSTM(10, 20, 2, batch_first=True)
        >>> output, (hn, cn) = lstm(torch.randn(3, 5, 10))  # output (3, 5, 20), hn and cn (2, 3, 20)
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, x):
        """Cell-state shape for time-major x (T, B, I)."""
        mini_batch = x.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def forward(self, input, hx=None):
        x, lengths, packed, is_batched = self._unpack_input(input)
        h0 = c0 = None
        if hx is not None:
            h0, c0 = hx
            if packed is None and not is_batched:
                if h0.dim() != 2 or c0.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({h0.dim()}-D, {c0.dim()}-D) tensors")
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            elif h0.dim() != 3 or c0.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({h0.dim()}-D, {c0.dim()}-D) tensors")
            if packed is not None:
                h0, c0 = self._permute_hidden(h0, packed[1]), self._permute_hidden(c0, packed[1])
            self._check_hidden_size(h0, self._expected_hidden_size(x), "Expected hidden[0] size {}, got {}")
            self._check_hidden_size(c0, self.get_expected_cell_size(x), "Expected hidden[1] size {}, got {}")
        out, h_n, c_n = self._run_layers(x, h0, c0, lengths)
        if packed is not None:
            h_n, c_n = self._permute_hidden(h_n, packed[2]), self._permute_hidden(c_n, packed[2])
        elif not is_batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._pack_output(out, packed, is_batched), (h_n, c_n)


__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]
