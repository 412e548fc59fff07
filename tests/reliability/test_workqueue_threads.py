"""numba's ``workqueue`` layer (no TBB) aborts the process when two threads enter it at once: threads running
parallel kernels must take turns there (the others run the serial builds) and get the serial results."""
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from numbatorch.backends.cpu import _parallel

_PROGRAM = textwrap.dedent("""
    import threading
    import numba
    import numpy as np
    import numbatorch as nt
    from numbatorch.backends.cpu import _parallel

    _parallel.PARALLEL_AFTER_SECONDS = 0.0  # the parallel builds at once, even on an empty kernel cache
    nt.manual_seed(0)
    net = nt.nn.Sequential(nt.nn.Conv2d(8, 16, 3, padding=1), nt.nn.BatchNorm2d(16), nt.nn.ReLU(), nt.nn.MaxPool2d(2),
                           nt.nn.Conv2d(16, 16, 3, padding=1), nt.nn.ReLU(), nt.nn.AdaptiveAvgPool2d(1),
                           nt.nn.Flatten(), nt.nn.Linear(16, 5))
    # 4x8x32x32 inputs: past the parallel threshold in conv, pooling, norm and elementwise kernels
    xs = [np.random.default_rng(i).standard_normal((4, 8, 32, 32)).astype(np.float32) for i in range(4)]

    def step(x):
        x = nt.tensor(x, requires_grad=True)
        loss = net(x).square().sum()
        grads = nt.autograd.grad(loss, [x] + list(net.parameters()))
        return [loss.detach().numpy()] + [g.numpy() for g in grads]

    expected = [step(x) for x in xs]
    results = [[] for _ in xs]
    def worker(i):
        for _ in range(3):
            results[i].append(step(xs[i]))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert numba.threading_layer() == "workqueue", numba.threading_layer()
    for want, runs in zip(expected, results):
        assert len(runs) == 3
        for got in runs:
            for a, b in zip(got, want):
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    print("ok")
""")


def test_four_threads_on_workqueue_do_not_abort_and_match_serial():
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    proc = subprocess.run([sys.executable, "-c", _PROGRAM], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), (proc.returncode, proc.stderr[-3000:])


def test_one_thread_at_a_time_takes_the_parallel_build(monkeypatch):
    calls = []
    twin = _parallel.Twin(serial=lambda x: calls.append(("serial", x)),
                          parallel=lambda x: calls.append(("parallel", x)))
    monkeypatch.setattr(_parallel, "_layer_thread_safe", False)
    assert _parallel.choose(twin, 1, minimum=2) is twin.serial
    runner = _parallel.choose(twin, 2, minimum=2)
    assert _parallel.choose(twin, 2, minimum=2) is runner  # built once per twin
    runner(1)
    with _parallel._pool_lock:  # another thread is in the pool: this one runs serially
        holder = threading.Thread(target=runner, args=(2,))
        holder.start()
        holder.join()
    runner(3)
    assert calls == [("parallel", 1), ("serial", 2), ("parallel", 3)]
    monkeypatch.setattr(_parallel, "_layer_thread_safe", True)
    assert _parallel.choose(twin, 2, minimum=2) is twin.parallel  # thread-safe layers: no wrapper, no lock


@pytest.mark.parametrize("requested, launched, safe", [("tbb", None, True), ("omp", None, True),
                                                       ("workqueue", None, False), ("default", None, False),
                                                       ("default", "tbb", True), ("forksafe", "workqueue", False)])
def test_layer_decision_is_cached(monkeypatch, requested, launched, safe):
    monkeypatch.setattr(_parallel, "_layer_thread_safe", None)
    monkeypatch.setattr(_parallel, "chosen_layer", lambda: requested)
    monkeypatch.setattr(_parallel, "_threads_launched", lambda: launched)
    assert _parallel._thread_safe_layer() is safe
    # known once numba names its layer (or the request settles it), unknown (None) only before the first launch
    assert _parallel._layer_thread_safe is (None if (requested not in ("tbb", "omp") and launched is None) else safe)
