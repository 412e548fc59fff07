"""Recurrent-layer kernels against torch.nn.RNN/LSTM/GRU with copied weights."""
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numbatorch.backends.cpu import _parallel, rnn as cpu_rnn  # noqa: E402
from numbatorch.nn.functional.rnn import input_projection  # noqa: E402

TOL = {torch.float64: 1e-10, torch.float32: 2e-5}


def _torch_layer(mode, I, H, proj, bias, reverse, dtype):
    kw = dict(bias=bias, bidirectional=reverse)
    if mode == "lstm":
        layer = torch.nn.LSTM(I, H, proj_size=proj, **kw)
    elif mode == "gru":
        layer = torch.nn.GRU(I, H, **kw)
    else:
        layer = torch.nn.RNN(I, H, nonlinearity=mode[4:], **kw)
    return layer.to(dtype)


def _compare(mode, T=5, B=3, I=4, H=6, proj=0, bias=True, reverse=False, lengths=None,
             dtype=torch.float64):
    """Run one direction in torch (the reverse half of a bidirectional layer for reverse=True)
    and in numbatorch on the same weights, inputs and upstream gradients; compare everything."""
    layer = _torch_layer(mode, I, H, proj, bias, reverse, dtype)
    suffix = "_l0_reverse" if reverse else "_l0"
    param = lambda name: getattr(layer, name + suffix)  # noqa: E731
    d = 1 if reverse else 0
    H_out = proj or H
    x = torch.randn(T, B, I, dtype=dtype, requires_grad=True)
    h0 = torch.randn(2 if reverse else 1, B, H_out, dtype=dtype, requires_grad=True)
    c0 = torch.randn(2 if reverse else 1, B, H, dtype=dtype, requires_grad=True)
    inp = x
    if lengths is not None:
        inp = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
    out, state = layer(inp, (h0, c0) if mode == "lstm" else h0)
    if lengths is not None:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=T)
    out = out[..., d * H_out:(d + 1) * H_out]
    h_n = state[0][d] if mode == "lstm" else state[d]
    grad_out, grad_h = torch.randn_like(out), torch.randn_like(h_n)
    loss = (out * grad_out).sum() + (h_n * grad_h).sum()
    grad_c = None
    if mode == "lstm":
        grad_c = torch.randn_like(state[1][d])
        loss = loss + (state[1][d] * grad_c).sum()
    loss.backward()

    npy = lambda t: None if t is None else t.detach().numpy()  # noqa: E731
    x_a, w_ih = npy(x), npy(param("weight_ih"))
    b_ih, b_hh = (npy(param("bias_ih")), npy(param("bias_hh"))) if bias else (None, None)
    o, h, c, ws = cpu_rnn.rnn_layer_forward(
        mode, x_a, input_projection(mode, x_a, w_ih, b_ih, b_hh), npy(h0[d]).copy(), w_ih,
        npy(param("weight_hh")), b_hh, c0=npy(c0[d]).copy(), w_hr=npy(param("weight_hr")) if proj else None,
        lengths=None if lengths is None else np.asarray(lengths, dtype=np.int64), reverse=reverse)
    grad_out_a = npy(grad_out)
    grad_out_kept = grad_out_a.copy()
    g = cpu_rnn.rnn_layer_backward(ws, grad_out_a, npy(grad_h), npy(grad_c))
    assert np.array_equal(grad_out_a, grad_out_kept)  # read, never written (packed steps included)

    expected = {"output": (o, out), "h_n": (h, h_n), "grad_x": (g.x, x.grad),
                "grad_h0": (g.h0, h0.grad[d]), "grad_w_ih": (g.w_ih, param("weight_ih").grad),
                "grad_w_hh": (g.w_hh, param("weight_hh").grad)}
    if bias:
        expected["grad_b_ih"] = (g.b_ih, param("bias_ih").grad)
        expected["grad_b_hh"] = (g.b_hh, param("bias_hh").grad)
    else:
        assert g.b_ih is None and g.b_hh is None
    if mode == "lstm":
        expected["c_n"] = (c, state[1][d])
        expected["grad_c0"] = (g.c0, c0.grad[d])
        if proj:
            expected["grad_w_hr"] = (g.w_hr, param("weight_hr").grad)
    for name, (ours, ref) in expected.items():
        ref = npy(ref)
        assert ours.dtype == ref.dtype, name
        np.testing.assert_allclose(ours, ref, rtol=TOL[dtype], atol=TOL[dtype], err_msg=name)


MODES = ["lstm", "gru", "rnn_tanh", "rnn_relu"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reverse", [False, True])
def test_matches_torch_float64(mode, reverse):
    _compare(mode, reverse=reverse)
    _compare(mode, reverse=reverse, lengths=[5, 2, 3])  # packed sequence, unsorted lengths
    _compare(mode, T=1, B=1, reverse=reverse)


@pytest.mark.parametrize("mode", MODES)
def test_matches_torch_float32_without_bias(mode):
    _compare(mode, bias=False, dtype=torch.float32)
    _compare(mode, T=7, B=4, dtype=torch.float32, lengths=[7, 1, 4, 7])


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_projection(reverse):
    _compare("lstm", proj=3, reverse=reverse)
    _compare("lstm", proj=3, reverse=reverse, lengths=[1, 5, 3])
    _compare("lstm", T=1, B=1, proj=2, reverse=reverse, dtype=torch.float32)


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_parallel_kernels(mode, monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_RNN_STATE", 0)
    _compare(mode, B=5, lengths=[5, 2, 3, 5, 1], reverse=True)
    if mode == "lstm":
        _compare(mode, B=5, proj=4)


def test_missing_gradients_are_zero():
    x = np.random.randn(4, 2, 3)
    w_ih, w_hh = np.random.randn(9, 3), np.random.randn(9, 3)
    h0 = np.random.randn(2, 3)
    _, _, _, ws = cpu_rnn.rnn_layer_forward("gru", x, input_projection("gru", x, w_ih), h0, w_ih, w_hh)
    g = cpu_rnn.rnn_layer_backward(ws)
    for grad in (g.x, g.h0, g.w_ih, g.w_hh):
        assert not grad.any()


_NO_JIT_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
import torch
from test_cpu_rnn import _compare
torch.manual_seed(0)
for mode in ("lstm", "gru", "rnn_tanh", "rnn_relu"):
    _compare(mode, T=3, B=2, I=2, H=3, lengths=[3, 2], reverse=True)
_compare("lstm", T=3, B=2, I=2, H=3, proj=2, lengths=[1, 3])
_compare("lstm", T=3, B=2, I=2, H=3, dtype=torch.float32)
print("ok")
"""


def test_runs_without_jit():
    """NUMBA_DISABLE_JIT=1 (debugging) runs the same kernels as plain Python."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = _NO_JIT_SCRIPT.format(root=root, tests=os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
