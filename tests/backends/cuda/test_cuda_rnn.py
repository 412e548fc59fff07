"""CUDA recurrent-cell kernels equal their CPU twins (outputs, final states, every gradient)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import rnn as cpu
from numbatorch.backends.cuda import rnn as gpu
from numbatorch.nn.functional.rnn import input_projection

from ._host import assert_close, device

rng = np.random.default_rng(4)
T, B, I, H = 4, 3, 3, 4


def _r(*shape):
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


def _projection(mode, args, b_ih):
    return input_projection(mode, args["x"], args["w_ih"], b_ih, args["b_hh"])


def _assert_grads_close(got, want):
    """The device's ``RNNGrads`` against the CPU's: the same fields present, each close."""
    for name in cpu.RNNGrads._fields:
        a, e = getattr(got, name), getattr(want, name)
        assert (a is None) == (e is None), name
        if e is not None:
            assert_close(a, e, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode,proj,lengths,reverse", [
    ("lstm", None, None, False),
    ("lstm", 2, [4, 2, 3], True),
    ("gru", None, [3, 4, 1], False),
    ("gru", None, None, True),
    ("rnn_tanh", None, [2, 4, 3], True),
    ("rnn_relu", None, None, False),
])
def test_rnn_layer(mode, proj, lengths, reverse):
    G = {"lstm": 4, "gru": 3}.get(mode, 1)
    H_out = proj or H
    args = dict(x=_r(T, B, I), h0=_r(B, H_out), w_ih=_r(G * H, I), w_hh=_r(G * H, H_out), b_ih=_r(G * H),
                b_hh=_r(G * H))
    if mode == "lstm":
        args["c0"] = _r(B, H)
        if proj:
            args["w_hr"] = _r(proj, H)
    lengths = None if lengths is None else np.array(lengths)
    on_device = {k: device(v) for k, v in args.items()}
    b_ih, d_b_ih = args.pop("b_ih"), on_device.pop("b_ih")
    out, h, c, ws = gpu.rnn_layer_forward(mode, xw=_projection(mode, on_device, d_b_ih), **on_device,
                                          lengths=lengths, reverse=reverse)
    eout, eh, ec, ews = cpu.rnn_layer_forward(mode, xw=_projection(mode, args, b_ih), **args, lengths=lengths,
                                              reverse=reverse)
    assert_close(out, eout)
    assert_close(h, eh)
    if mode == "lstm":
        assert_close(c, ec)
    go, gh = _r(T, B, H_out), _r(B, H_out)
    gc = _r(B, H) if mode == "lstm" else None
    got = gpu.rnn_layer_backward(ws, device(go), device(gh), None if gc is None else device(gc))
    want = cpu.rnn_layer_backward(ews, go, gh, gc)
    _assert_grads_close(got, want)


@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell(bias):
    args = dict(x=_r(B, I), h=_r(B, H), c=_r(B, H), w_ih=_r(4 * H, I), w_hh=_r(4 * H, H))
    b_ih, b_hh = (_r(4 * H), _r(4 * H)) if bias else (None, None)
    on_device = {k: device(v) for k, v in args.items()}
    d_b_ih, d_b_hh = (device(b_ih), device(b_hh)) if bias else (None, None)
    h, c, ws = gpu.lstm_cell_forward(xw=input_projection("lstm", on_device["x"][None], on_device["w_ih"], d_b_ih,
                                                         d_b_hh), **on_device, has_bias=bias)
    eh, ec, ews = cpu.lstm_cell_forward(xw=input_projection("lstm", args["x"][None], args["w_ih"], b_ih, b_hh),
                                        **args, has_bias=bias)
    assert_close(h, eh)
    assert_close(c, ec)
    gh, gc = _r(B, H), _r(B, H)
    got = gpu.lstm_cell_backward(ws, device(gh), device(gc))
    want = cpu.lstm_cell_backward(ews, gh, gc)
    _assert_grads_close(got, want)


@pytest.mark.parametrize("mode,bias", [("gru", True), ("gru", False), ("rnn_tanh", True), ("rnn_relu", False)])
def test_gru_and_rnn_cell(mode, bias):
    G = 3 if mode == "gru" else 1
    args = dict(x=_r(B, I), h=_r(B, H), w_ih=_r(G * H, I), w_hh=_r(G * H, H))
    b_ih, b_hh = (_r(G * H), _r(G * H)) if bias else (None, None)
    on_device = {k: device(v) for k, v in args.items()}
    d_b_ih, d_b_hh = (device(b_ih), device(b_hh)) if bias else (None, None)
    xw = input_projection(mode, on_device["x"][None], on_device["w_ih"], d_b_ih, d_b_hh)
    exw = input_projection(mode, args["x"][None], args["w_ih"], b_ih, b_hh)
    if mode == "gru":
        b_hh_k = b_hh if bias else np.zeros(G * H, dtype=np.float32)
        h, ws = gpu.gru_cell_forward(xw=xw, **on_device, b_hh=device(b_hh_k), has_bias=bias)
        eh, ews = cpu.gru_cell_forward(xw=exw, **args, b_hh=b_hh_k, has_bias=bias)
        backward_gpu, backward_cpu = gpu.gru_cell_backward, cpu.gru_cell_backward
    else:
        h, ws = gpu.rnn_cell_forward(mode, xw=xw, **on_device, has_bias=bias)
        eh, ews = cpu.rnn_cell_forward(mode, xw=exw, **args, has_bias=bias)
        backward_gpu, backward_cpu = gpu.rnn_cell_backward, cpu.rnn_cell_backward
    assert_close(h, eh)
    gh = _r(B, H)
    got, want = backward_gpu(ws, device(gh)), backward_cpu(ews, gh)
    _assert_grads_close(got, want)
