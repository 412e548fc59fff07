"""``torch.rnn_tanh``/``rnn_relu``/``lstm``/``gru`` (flat-parameter recurrent functions) against PyTorch: outputs,
final states and gradients of input, states and every parameter."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

_CONFIGS = [(1, False, False, True), (2, True, False, True), (2, False, True, False), (1, True, True, True)]


def _params(layers, directions, gates, hidden, inputs, has_biases, rng):
    params = []
    for layer in range(layers):
        width = inputs if layer == 0 else hidden * directions
        for _ in range(directions):
            params += [rng.standard_normal((gates * hidden, width)) * 0.5,
                       rng.standard_normal((gates * hidden, hidden)) * 0.5]
            if has_biases:
                params += [rng.standard_normal(gates * hidden) * 0.1, rng.standard_normal(gates * hidden) * 0.1]
    return params


@pytest.mark.parametrize("name, gates", [("rnn_tanh", 1), ("rnn_relu", 1), ("gru", 3), ("lstm", 4)])
@pytest.mark.parametrize("layers, bidirectional, batch_first, has_biases", _CONFIGS)
def test_rnn_functions_match_pytorch(name, gates, layers, bidirectional, batch_first, has_biases):
    rng = np.random.default_rng(0)
    directions, hidden, inputs, steps, batch = (2 if bidirectional else 1), 3, 4, 5, 2
    x = rng.standard_normal((batch, steps, inputs) if batch_first else (steps, batch, inputs))
    states = [rng.standard_normal((layers * directions, batch, hidden)) for _ in range(2 if name == "lstm" else 1)]
    params = _params(layers, directions, gates, hidden, inputs, has_biases, rng)
    results = []
    for lib in (nt, torch):
        tensors = [lib.tensor(a, requires_grad=True) for a in [x, *states, *params]]
        tx, tstates, tparams = tensors[0], tensors[1:1 + len(states)], tensors[1 + len(states):]
        hx = tuple(tstates) if name == "lstm" else tstates[0]
        outs = getattr(lib, name)(tx, hx, tparams, has_biases, layers, 0.0, True, bidirectional,
                                  batch_first)
        sum(((o * lib.tensor(np.linspace(-1, 1, o.numel()).reshape(tuple(o.shape)))).sum() for o in outs)).backward()
        results.append([o.detach().numpy() for o in outs] + [t.grad.numpy() for t in tensors])
    assert len(results[0]) == len(results[1])
    for ours, theirs in zip(*results):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
