"""Recurrent and attention workloads of issue 5 on an 8 x 200 x 64 batch (batch_first), forward + backward."""
from _common import Workload

BATCH, SEQ, FEATURES = 8, 200, 64


def _inputs(lib):
    gen = lib.Generator().manual_seed(0)
    return lib.randn(BATCH, SEQ, FEATURES, generator=gen).requires_grad_()


def _step(module, x, call):
    params = list(module.parameters())

    def step():
        call(module, x).sum().backward()
        x.grad = None
        for p in params:
            p.grad = None
    return step


def lstm(lib):
    module = lib.nn.LSTM(FEATURES, 32, batch_first=True)
    return _step(module, _inputs(lib), lambda m, x: m(x)[0])


def gru(lib):
    module = lib.nn.GRU(FEATURES, 32, batch_first=True)
    return _step(module, _inputs(lib), lambda m, x: m(x)[0])


def mha(lib):
    module = lib.nn.MultiheadAttention(FEATURES, 8, batch_first=True)
    return _step(module, _inputs(lib), lambda m, x: m(x, x, x)[0])


def encoder(lib):
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(d_model=FEATURES, nhead=8, dim_feedforward=128, batch_first=True)
    module = nn.TransformerEncoder(layer, num_layers=2)
    return _step(module, _inputs(lib), lambda m, x: m(x))


WORKLOADS = [
    Workload("lstm_64_32", lstm, "LSTM(64->32) on 8x200x64, fwd+bwd", target_ratio=1.0),
    Workload("gru_64_32", gru, "GRU(64->32) on 8x200x64, fwd+bwd", target_ratio=1.5),
    Workload("mha_64_h8", mha, "MultiheadAttention(64, 8) self-attention on 8x200x64, fwd+bwd", target_ratio=1.0),
    Workload("transformer_encoder_2x64", encoder,
             "2-layer TransformerEncoder(d_model=64, nhead=8, ff=128) on 8x200x64, fwd+bwd", target_ratio=1.5),
]
