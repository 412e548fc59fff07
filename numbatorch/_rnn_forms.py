"""The ``torch.*`` recurrent functions under ``nn.RNN``/``nn.LSTM``/``nn.GRU``: ``rnn_tanh``, ``rnn_relu``,
``lstm`` and ``gru`` on a flat parameter list (per layer and direction: ``w_ih, w_hh[, b_ih, b_hh]``), run step by
step with the cell functions, so they are differentiable in the input, the states and every parameter. As in
PyTorch, the input is batched: (seq, batch, features), or (batch, seq, features) with ``batch_first``."""
import numbatorch

from .nn import functional as F

__all__ = ["gru", "lstm", "rnn_relu", "rnn_tanh"]


def _run(cell, input, states, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """Outputs (seq, batch, directions * hidden) and final states [per layer and direction] of a stacked RNN.

    ``states`` is a list of state tuples (one tensor for RNN/GRU, (h, c) for LSTM) per layer and direction."""
    per_direction = 4 if has_biases else 2
    directions = 2 if bidirectional else 1
    if len(params) != per_direction * directions * num_layers:
        raise RuntimeError(f"expected {per_direction * directions * num_layers} parameters for {num_layers} "
                           f"layer(s), got {len(params)}")
    if batch_first:
        input = input.transpose(0, 1)
    finals = []
    layer_input = input
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            weights = params[index * per_direction:(index + 1) * per_direction]
            w_ih, w_hh = weights[0], weights[1]
            b_ih, b_hh = (weights[2], weights[3]) if has_biases else (None, None)
            state = states[index]
            steps = range(layer_input.shape[0] - 1, -1, -1) if direction else range(layer_input.shape[0])
            hiddens = [None] * layer_input.shape[0]
            for t in steps:
                state = cell(layer_input[t], state, w_ih, w_hh, b_ih, b_hh)
                hiddens[t] = state[0]
            outputs.append(numbatorch.stack(hiddens))
            finals.append(state)
        layer_input = numbatorch.cat(outputs, dim=-1) if directions == 2 else outputs[0]
        if dropout and train and layer < num_layers - 1:
            layer_input = F.dropout(layer_input, dropout, training=True)
    output = layer_input.transpose(0, 1) if batch_first else layer_input
    return output, finals


def _single_state(name):
    def step(x, state, *weights):
        return (getattr(numbatorch, name)(x, state[0], *weights),)
    return step


def _lstm_step(x, state, *weights):
    return numbatorch.lstm_cell(x, state, *weights)


def _one_state_rnn(name, input, hx, params, *config):
    output, finals = _run(_single_state(name), input, [(h,) for h in hx.unbind(0)], params, *config)
    return output, numbatorch.stack([s[0] for s in finals])


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``(output, h_n)`` of a stacked Elman RNN with tanh, as ``nn.RNN`` computes it."""
    return _one_state_rnn("rnn_tanh_cell", input, hx, params, has_biases, num_layers, dropout, train,
                          bidirectional, batch_first)


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``(output, h_n)`` of a stacked Elman RNN with ReLU, as ``nn.RNN(nonlinearity='relu')`` computes it."""
    return _one_state_rnn("rnn_relu_cell", input, hx, params, has_biases, num_layers, dropout, train,
                          bidirectional, batch_first)


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``(output, h_n)`` of a stacked GRU, as ``nn.GRU`` computes it."""
    return _one_state_rnn("gru_cell", input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                          batch_first)


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``(output, h_n, c_n)`` of a stacked LSTM (no projections), as ``nn.LSTM`` computes it."""
    h0, c0 = hx
    output, finals = _run(_lstm_step, input, list(zip(h0.unbind(0), c0.unbind(0))), params, has_biases,
                          num_layers, dropout, train, bidirectional, batch_first)
    return output, numbatorch.stack([s[0] for s in finals]), numbatorch.stack([s[1] for s in finals])
