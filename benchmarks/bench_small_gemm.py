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


def _workload(cell, dtype_name):
    """The two-cell sequence model built from ``nn.<cell>`` in ``dtype_name``, as one ``Workload``."""
    short = cell[:-len("Cell")].lower()
    bits = dtype_name[len("float"):]
    return Workload(f"{short}cell_seq_f{bits}", lambda lib: _sequence(lib, getattr(lib, dtype_name), cell),
                    f"2x {cell}({HIDDEN}) + Linear, batch {BATCH}, {STEPS} steps cell by cell, {dtype_name}, "
                    "fwd+bwd", warmup=1, target_ratio=1.0)


WORKLOADS = [_workload("LSTMCell", "float64"), _workload("LSTMCell", "float32"),
             _workload("GRUCell", "float32"), _workload("RNNCell", "float32")]
