"""A twin's parallel build is compiled only once its serial build has run long enough, or at once when Numba's
disk cache holds it; either build gives the same result."""
import os
import subprocess
import sys
import textwrap
import types

import numpy as np
from numba import njit

from numbatorch.backends.cpu import _parallel


def _fake_twin(clock, seconds_per_call):
    calls = []

    def serial(x):
        clock[0] += seconds_per_call
        calls.append(("serial", x))

    def parallel(x):
        calls.append(("parallel", x))
    return _parallel.Twin(serial=serial, parallel=parallel), calls


def test_parallel_build_waits_for_enough_serial_time(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_parallel, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 1.0)
    monkeypatch.setattr(_parallel, "_layer_thread_safe", True)
    twin, calls = _fake_twin(clock, 0.4)
    assert _parallel.choose(twin, 1, minimum=2) is twin.serial
    for i in range(5):
        _parallel.choose(twin, 2, minimum=2)(i)
    # 0.4 s per serial run: the third brings the total past 1 s, so the fourth call takes the parallel build
    assert calls == [("serial", 0), ("serial", 1), ("serial", 2), ("parallel", 3), ("parallel", 4)]
    assert _parallel.choose(twin, 2, minimum=2) is twin.parallel


def _make_double(loop):
    def double(x, out):
        for i in loop(x.size):
            out[i] = 2 * x[i]
    return double


def test_uncached_parallel_build_is_not_compiled(monkeypatch):
    monkeypatch.setattr(_parallel, "PARALLEL_AFTER_SECONDS", 1e9)
    twin = _parallel.Twin(serial=njit(_make_double(range)), parallel=njit(parallel=True)(_make_double(range)))
    x = np.arange(10.0)
    out = np.zeros_like(x)
    _parallel.choose(twin, 2, minimum=1)(x, out)
    np.testing.assert_array_equal(out, 2 * x)
    assert twin.parallel.signatures == []  # not in any disk cache (cache=False): the probe compiled nothing
    assert len(twin.serial.signatures) == 1


_PROGRAM = textwrap.dedent("""
    import sys
    import numpy as np
    import numbatorch as nt
    from numbatorch.backends.cpu import _parallel, pointwise

    _parallel.PARALLEL_AFTER_SECONDS = float(sys.argv[1])
    x = np.linspace(-3, 3, 1 << 17).astype(np.float32)
    y = nt.sigmoid(nt.tensor(x)).numpy()
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-6)
    print(len(pointwise._sigmoid_vector.parallel.signatures))  # the kernel of 512 KiB and more
""")


def test_parallel_build_found_in_the_disk_cache_is_used_at_once(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))

    def parallel_builds(after_seconds):
        proc = subprocess.run([sys.executable, "-c", _PROGRAM, str(after_seconds)], env=env, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return int(proc.stdout.split()[-1])

    assert parallel_builds(1e9) == 0  # an empty cache: the serial build ran, the parallel one was not compiled
    assert parallel_builds(0) == 1  # compiled at once, and saved to the cache
    assert parallel_builds(1e9) == 1  # loaded from the cache at the first parallel-sized call
