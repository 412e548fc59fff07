"""Bit-reproducible results (issue 17 item 6): the threaded convolution's weight gradient is summed in task order,
so repeated calls, and whole training runs in fresh processes, give the same bits for the same thread count; under
``use_deterministic_algorithms(True)`` the thread count does not change them either."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _conv_grads(seed=0):
    """Input and weight gradients of a Conv2d large enough to run its tiles on every thread."""
    rng = np.random.default_rng(seed)
    x = nt.tensor(rng.standard_normal((32, 8, 16, 16)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((16, 8, 3, 3)).astype(np.float32), requires_grad=True)
    g = nt.tensor(rng.standard_normal((32, 16, 16, 16)).astype(np.float32))
    nt.nn.functional.conv2d(x, w, padding=1).backward(g)
    return x.grad.numpy().tobytes(), w.grad.numpy().tobytes()


@pytest.fixture
def restore_runtime():
    threads = nt.get_num_threads()
    yield
    nt.use_deterministic_algorithms(False)
    nt.set_num_threads(threads)


def test_conv_weight_gradient_repeats_bit_for_bit(restore_runtime):
    if nt.get_num_threads() < 2:
        pytest.skip("needs two threads")
    nt.set_num_threads(2)
    first = _conv_grads()
    for _ in range(20):
        assert _conv_grads() == first


def test_deterministic_algorithms_make_conv_gradients_independent_of_thread_count(restore_runtime):
    if nt.get_num_threads() < 2:
        pytest.skip("needs two threads")
    nt.use_deterministic_algorithms(True)
    nt.set_num_threads(2)
    threaded = _conv_grads()
    nt.set_num_threads(1)
    assert _conv_grads() == threaded


def test_conv_weight_gradient_still_matches_pytorch(restore_runtime):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w, g = rng.standard_normal((32, 8, 16, 16)), rng.standard_normal((16, 8, 3, 3)), rng.standard_normal(
        (32, 16, 8, 8))
    for deterministic in (False, True):
        nt.use_deterministic_algorithms(deterministic)
        wn = nt.tensor(w, requires_grad=True)
        nt.nn.functional.conv2d(nt.tensor(x), wn, stride=2, padding=1).backward(nt.tensor(g))
        wt = torch.tensor(w, requires_grad=True)
        torch.nn.functional.conv2d(torch.tensor(x), wt, stride=2, padding=1).backward(torch.tensor(g))
        np.testing.assert_allclose(wn.grad.numpy(), wt.grad.numpy(), rtol=1e-10, atol=1e-10)


TRAINING = textwrap.dedent("""
    import numpy as np
    import numbatorch as torch
    from numbatorch import nn

    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
                          nn.Dropout(0.2), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    for step in range(8):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        print(float(loss).hex())
""")


def test_training_in_fresh_processes_gives_identical_losses():
    env = dict(os.environ, NUMBA_NUM_THREADS="2", PYTHONPATH=ROOT)
    runs = [subprocess.run([sys.executable, "-c", TRAINING], env=env, capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert len(runs[0].stdout.split()) == 8
    assert runs[0].stdout == runs[1].stdout


def test_model_gradients_repeat_bit_for_bit_in_process(restore_runtime):
    nt.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, stride=2), nn.Flatten(),
                          nn.LazyLinear(4))
    x = nt.randn(24, 3, 20, 20)

    def grads():
        model.zero_grad()
        model(x).square().sum().backward()
        return [p.grad.numpy().tobytes() for p in model.parameters()]
    first = grads()
    for _ in range(10):
        assert grads() == first
