"""Whole RNN/GRU/LSTM modules pickled by numbatorch load in PyTorch (its ``__setstate__`` needs ``_flat_weights``)
and the reverse, with equal outputs."""
import copy
import io

import numpy as np
import pytest

import numbatorch as nt

MAKERS = {
    "lstm_bidirectional_2layer": lambda lib: lib.nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True),
    "lstm_proj": lambda lib: lib.nn.LSTM(4, 6, proj_size=3, batch_first=True),
    "gru_no_bias": lambda lib: lib.nn.GRU(4, 6, bias=False, batch_first=True),
    "rnn_relu": lambda lib: lib.nn.RNN(4, 6, nonlinearity="relu", batch_first=True),
}


def _save(lib, obj):
    buf = io.BytesIO()
    lib.save(obj, buf)
    return io.BytesIO(buf.getvalue())


def _outputs(model, lib, x):
    out, hidden = model(lib.tensor(x))
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    return [t.detach().numpy() for t in (out, *hidden)]


def _x(seed):
    return np.random.default_rng(seed).standard_normal((2, 5, 4)).astype(np.float32)


@pytest.mark.parametrize("name", MAKERS)
def test_saved_here_loads_in_torch(name):
    torch = pytest.importorskip("torch")
    ours = MAKERS[name](nt)
    theirs = torch.load(_save(nt, ours), weights_only=False)
    assert type(theirs) is getattr(torch.nn, type(ours).__name__)
    assert theirs._flat_weights_names == ours._flat_weights_names
    # torch's flat list holds the very Parameters it registered, so later weight edits reach its forward
    assert all(w is getattr(theirs, n) for w, n in zip(theirs._flat_weights, theirs._flat_weights_names))
    x = _x(0)
    with torch.no_grad():
        for got, want in zip(_outputs(theirs, torch, x), _outputs(ours, nt, x)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", MAKERS)
def test_saved_by_torch_loads_here(name):
    torch = pytest.importorskip("torch")
    theirs = MAKERS[name](torch)
    ours = nt.load(_save(torch, theirs), weights_only=False)
    assert type(ours) is getattr(nt.nn, type(theirs).__name__)
    assert "_flat_weights" not in ours.__dict__ and "_flat_weight_refs" not in ours.__dict__
    x = _x(1)
    with torch.no_grad():
        for got, want in zip(_outputs(ours, nt, x), _outputs(theirs, torch, x)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", MAKERS)
def test_round_trip_here_and_deepcopy(name):
    ours = MAKERS[name](nt)
    x = _x(2)
    for again in (nt.load(_save(nt, ours), weights_only=False), copy.deepcopy(ours)):
        assert "_flat_weights" not in again.__dict__
        for got, want in zip(_outputs(again, nt, x), _outputs(ours, nt, x)):
            np.testing.assert_array_equal(got, want)
        # the derived flat list follows a replaced weight
        name0 = again._flat_weights_names[0]
        setattr(again, name0, nt.nn.Parameter(nt.zeros_like(getattr(again, name0))))
        assert again._flat_weights[0] is getattr(again, name0)
