"""Small matrix products, step by step (issue 13): PyTorch's time-sequence-prediction model.

Two ``LSTMCell``s (1 -> 51 -> 51) and a ``Linear(51, 1)`` run cell by cell over 100 time steps on a batch of
97 sine waves, forward + backward, in float64 (as the PyTorch example) and float32; the same model with
``GRUCell``s and with ``RNNCell``s in float32. Every product is a 97 x 51 x 204 GEMM or smaller, the size where
a threaded BLAS spends more time waking its threads than multiplying.
"""
from _common import Workload

BATCH, HIDDEN, STEPS = 97, 51, 100


def _sequence(lib, dtype, cell="LSTMCell"):
    nn = lib.nn
    gen = lib.Generator().manual_seed(0)
    cell1 = getattr(nn, cell)(1, HIDDEN).to(dtype)
    cell2 = getattr(nn, cell)(HIDDEN, HIDDEN).to(dtype)
    with_c = cell == "LSTMCell"
    head = nn.Linear(HIDDEN, 1).to(dtype)
    params = [*cell1.parameters(), *cell2.parameters(), *head.parameters()]
    phase = lib.rand(BATCH, 1, generator=gen, dtype=dtype) * 6.28
    steps = lib.arange(STEPS + 1, dtype=dtype) * 0.1
    wave = lib.sin(phase + steps)                       # (BATCH, STEPS + 1)
    inputs, targets = wave[:, :-1], wave[:, 1:]

    def step():
        h1 = c1 = h2 = c2 = lib.zeros(BATCH, HIDDEN, dtype=dtype)
        outputs = []
        for x in inputs.split(1, dim=1):
            if with_c:
                h1, c1 = cell1(x, (h1, c1))
                h2, c2 = cell2(h1, (h2, c2))
            else:
                h1 = cell1(x, h1)
                h2 = cell2(h1, h2)
            outputs.append(head(h2))
        loss = ((lib.cat(outputs, dim=1) - targets) ** 2).mean()
        loss.backward()
        for p in params:
            p.grad = None
    return step


def sequence_float64(lib):
    return _sequence(lib, lib.float64)


def sequence_float32(lib):
    return _sequence(lib, lib.float32)


def gru_sequence_float32(lib):
    return _sequence(lib, lib.float32, "GRUCell")


def rnn_sequence_float32(lib):
    return _sequence(lib, lib.float32, "RNNCell")


WORKLOADS = [
    Workload("lstmcell_seq_f64", sequence_float64,
             "2x LSTMCell(51) + Linear, batch 97, 100 steps cell by cell, float64, fwd+bwd", warmup=1,
             target_ratio=1.0),
    Workload("lstmcell_seq_f32", sequence_float32,
             "2x LSTMCell(51) + Linear, batch 97, 100 steps cell by cell, float32, fwd+bwd", warmup=1,
             target_ratio=1.0),
    Workload("grucell_seq_f32", gru_sequence_float32,
             "2x GRUCell(51) + Linear, batch 97, 100 steps cell by cell, float32, fwd+bwd", warmup=1,
             target_ratio=1.0),
    Workload("rnncell_seq_f32", rnn_sequence_float32,
             "2x RNNCell(51) + Linear, batch 97, 100 steps cell by cell, float32, fwd+bwd", warmup=1,
             target_ratio=1.0),
]
