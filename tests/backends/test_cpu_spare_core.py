"""Cores worth running threads on beside other processes (``_spare_core.usable_cores``), and results that do not
depend on them."""
import os

import numpy as np
import pytest

import numbatorch as nt
from numbatorch.backends.cpu import _conv_threads, _spare_core


@pytest.fixture
def fake_clock(monkeypatch):
    """A 2-core machine whose busy time and this process's CPU time advance only by ``advance``."""
    clock = {"now": 100.0, "busy": 50.0, "own": 10.0}
    monkeypatch.setattr(_spare_core, "_last", None)
    monkeypatch.setattr(_spare_core.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(_spare_core, "_machine_busy_seconds", lambda: clock["busy"])
    monkeypatch.setattr(_spare_core.os, "times", lambda: os.times_result((clock["own"], 0.0, 0.0, 0.0, 0.0)))
    monkeypatch.setattr(_spare_core.os, "cpu_count", lambda: 2)

    def advance(seconds, own_cores, other_cores):
        clock["now"] += seconds
        clock["own"] += own_cores * seconds
        clock["busy"] += (own_cores + other_cores) * seconds
    return advance


def test_usable_cores_are_the_cores_other_processes_leave_free(fake_clock):
    assert _spare_core.usable_cores() == 2  # no interval measured yet: every core
    fake_clock(1.0, own_cores=2.0, other_cores=0.0)
    assert _spare_core.usable_cores() == 2
    fake_clock(1.0, own_cores=1.0, other_cores=1.0)
    assert _spare_core.usable_cores() == 1
    fake_clock(1.0, own_cores=0.6, other_cores=1.2)
    assert _spare_core.usable_cores() == 1
    fake_clock(1.0, own_cores=0.5, other_cores=1.5)
    assert _spare_core.usable_cores() == 2  # oversubscribed: the share grows with the threads
    fake_clock(1.0, own_cores=1.5, other_cores=0.3)
    assert _spare_core.usable_cores() == 2


def _conv_grads():
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.standard_normal((32, 8, 16, 16)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((16, 8, 5, 5)).astype(np.float32), requires_grad=True)
    b = nt.tensor(rng.standard_normal(16).astype(np.float32), requires_grad=True)
    g = nt.tensor(rng.standard_normal((32, 16, 14, 14)).astype(np.float32))
    nt.nn.functional.conv2d(x, w, b, padding=1).backward(g)
    return [t.grad.numpy().tobytes() for t in (x, w, b)]


def test_conv_gradients_do_not_depend_on_the_usable_cores(monkeypatch):
    """A busy neighbour leaves fewer threads running the tiles, split as on an idle machine: same bits."""
    if nt.get_num_threads() < 2:
        pytest.skip("needs two threads")
    threads = nt.get_num_threads()
    try:
        nt.set_num_threads(2)
        monkeypatch.setattr(_conv_threads, "usable_cores", lambda: 2)
        idle = _conv_grads()
        monkeypatch.setattr(_conv_threads, "usable_cores", lambda: 1)
        assert _conv_grads() == idle
    finally:
        nt.set_num_threads(threads)
