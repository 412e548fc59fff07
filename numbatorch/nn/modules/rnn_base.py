"""``RNNBase``: the parameters, argument checks and the layer/direction loop shared by RNN, LSTM and GRU.

Each layer direction runs as one graph node (``functional.rnn.rnn_layer``): one GEMM for the input
projection of all steps, then a fused Numba kernel over time, forward and BPTT backward.
"""
import math
import numbers
import warnings

import numpy as np

from ... import _creation
from ..._ops.joining import cat, stack
from ..._tensor import Tensor
from .. import init
from ..functional.dropout import dropout as _dropout
from ..functional.rnn import packed_to_padded, padded_to_packed, rnn_layer
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

_MODES = {"RNN_TANH": ("rnn_tanh", 1), "RNN_RELU": ("rnn_relu", 1), "LSTM": ("lstm", 4), "GRU": ("gru", 3)}


class RNNBase(Module):
    """Parameters, checks and the layer/direction loop shared by RNN, LSTM and GRU."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")

        gate_size = _MODES[mode][1] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input_size)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr_l{}{}", (proj_size, hidden_size)))
                names = []
                for fmt, shape in shapes:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(_creation.empty(shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Accepted for compatibility: weights are used in place, there is no flat buffer to rebuild."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def __getstate__(self):
        # PyTorch's RNNBase.__setstate__ builds weak references from a pickled ``_flat_weights`` list, so a whole
        # model saved here carries that list (the same Parameter objects, memoised by pickle) to load in torch.
        state = super().__getstate__()
        state["_flat_weights"] = self._flat_weights
        return state

    def __setstate__(self, state):
        # ``_flat_weights`` is a property here, derived from the names: drop the pickled list (ours or torch's).
        super().__setstate__({k: v for k, v in state.items() if k not in ("_flat_weights", "_flat_weight_refs")})
        if "proj_size" not in self.__dict__:
            self.proj_size = 0

    # ---- forward plumbing ------------------------------------------------------------------------
    def _layer_weights(self, layer, direction):
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        w = [getattr(self, n) for n in names]
        w_ih, w_hh = w[0], w[1]
        b_ih = b_hh = None
        if self.bias:
            b_ih, b_hh = w[2], w[3]
        w_hr = w[-1] if self.proj_size > 0 else None
        return w_ih, w_hh, b_ih, b_hh, w_hr

    def _check_input(self, input, batch_sizes):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                             f"input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def _expected_hidden_size(self, x):
        """State shape for time-major x (T, B, I)."""
        mini_batch = x.size(1)
        num_directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, real_hidden)

    @staticmethod
    def _check_hidden_size(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    def _unpack_input(self, input):
        """Common front end: returns (x (T, B, I) time-major, lengths, packed info, is_batched)."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            self._check_input(data, batch_sizes._data)
            bs = batch_sizes._data
            x = packed_to_padded(data, bs)
            lengths = (bs[None, :] > np.arange(int(bs[0]))[:, None]).sum(axis=1)
            return x, lengths, (bs, sorted_indices, unsorted_indices), True
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        self._check_input(input, None)
        return input, None, None, is_batched

    def _run_layers(self, x, h0, c0, lengths):
        """All layers and directions on time-major x; returns (output, h_n, c_n or None)."""
        mode = _MODES[self.mode][0]
        num_directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                idx = layer * num_directions + direction
                h = h0[idx] if h0 is not None else None
                c = c0[idx] if c0 is not None else None
                out, h_last, c_last = rnn_layer(mode, x, h, c, *self._layer_weights(layer, direction),
                                                lengths=lengths, reverse=direction == 1)
                outs.append(out)
                h_n.append(h_last)
                c_n.append(c_last)
            x = outs[0] if num_directions == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, stack(h_n), (stack(c_n) if mode == "lstm" else None)

    def _pack_output(self, out, packed, is_batched):
        if packed is not None:
            bs, sorted_indices, unsorted_indices = packed
            return PackedSequence(padded_to_packed(out, bs), Tensor._make(bs), sorted_indices, unsorted_indices)
        if not is_batched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out

    @staticmethod
    def _permute_hidden(hx, permutation):
        return hx if permutation is None else hx.index_select(1, permutation)

    def _forward_single_state(self, input, hx):
        """RNN and GRU: one hidden state."""
        x, lengths, packed, is_batched = self._unpack_input(input)
        if hx is not None:
            if packed is None and not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D "
                                       "tensor")
                hx = hx.unsqueeze(1)
            elif hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            if packed is not None:
                hx = self._permute_hidden(hx, packed[1])
            self._check_hidden_size(hx, self._expected_hidden_size(x))
        out, h_n, _ = self._run_layers(x, hx, None, lengths)
        if packed is not None:
            h_n = self._permute_hidden(h_n, packed[2])
        elif not is_batched:
            h_n = h_n.squeeze(1)
        return self._pack_output(out, packed, is_batched), h_n
