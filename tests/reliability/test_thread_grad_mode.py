"""Grad mode is per thread (issue 17 item 1), and threads that train or infer at once get serial results.

The semantic scenarios run the same steps with numbatorch and with PyTorch and compare what each thread saw.
"""
import threading

import numpy as np
import pytest

import numbatorch as nt
from numbatorch import nn


def _in_thread(fn):
    """Run ``fn`` in a new thread; return its result (re-raising its exception)."""
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            out["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def _new_thread_starts_enabled(lib):
    with lib.no_grad():
        inside = _in_thread(lib.is_grad_enabled)
    with lib.inference_mode():
        inference = _in_thread(lambda: (lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
    return inside, inference, lib.is_grad_enabled()


def _worker_set_grad_enabled(lib):
    seen = _in_thread(lambda: (lib.set_grad_enabled(False), lib.is_grad_enabled())[1])
    return seen, lib.is_grad_enabled()


def _no_grad_does_not_leak(lib):
    """Thread A sits in no_grad() while thread B records a graph and differentiates it."""
    entered, done = threading.Event(), threading.Event()

    def holder():
        with lib.no_grad():
            entered.set()
            done.wait(10)
            return lib.is_grad_enabled()

    result = {}
    t = threading.Thread(target=lambda: result.setdefault("a", holder()))
    t.start()
    entered.wait(10)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    (g,) = lib.autograd.grad(y, x)
    done.set()
    t.join()
    return result["a"], y.requires_grad, g.tolist()


def _overlapping_no_grad(lib):
    """A enters, B enters, A leaves, B leaves: each thread ends where it started."""
    steps = [threading.Event() for _ in range(4)]
    seen = {}

    def a():
        with lib.no_grad():
            steps[0].set()
            steps[1].wait(10)
            seen["a_inside"] = lib.is_grad_enabled()
        steps[2].set()
        steps[3].wait(10)
        seen["a_after"] = lib.is_grad_enabled()

    def b():
        steps[0].wait(10)
        with lib.no_grad():
            steps[1].set()
            steps[2].wait(10)
            seen["b_inside"] = lib.is_grad_enabled()
        steps[3].set()
        seen["b_after"] = lib.is_grad_enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(seen.items()), lib.is_grad_enabled()


def _decorators(lib):
    @lib.no_grad
    def bare():
        return lib.is_grad_enabled()

    @lib.no_grad()
    def called():
        return _in_thread(lib.is_grad_enabled), lib.is_grad_enabled()

    @lib.enable_grad()
    def enabled():
        return lib.is_grad_enabled()

    with lib.no_grad():
        inner = enabled()
    return bare(), called(), inner, lib.is_grad_enabled()


@pytest.mark.parametrize("scenario", [_new_thread_starts_enabled, _worker_set_grad_enabled, _no_grad_does_not_leak,
                                      _overlapping_no_grad, _decorators])
def test_grad_mode_per_thread_like_pytorch(scenario):
    torch = pytest.importorskip("torch")
    assert scenario(nt) == scenario(torch)
    assert nt.is_grad_enabled() and not nt.is_inference_mode_enabled()


def _make_net(seed):
    nt.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 7 * 7, 4)).double()


def _batches(seed, steps):
    rng = np.random.default_rng(seed)
    # 8x3x16x16 is above the conv's threading threshold, so its tiles run on the shared tile pool.
    return [(nt.tensor(rng.standard_normal((8, 3, 16, 16))), nt.tensor(rng.integers(0, 4, 8)))
            for _ in range(steps)]


def _train(model, batches):
    """SGD steps, every other one through autograd.grad; returns the losses and final weights."""
    opt = nt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for i, (x, y) in enumerate(batches):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        if i % 2:
            params = list(model.parameters())
            for p, g in zip(params, nt.autograd.grad(loss, params)):
                p.grad = g
        else:
            loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def _run_threads(fns):
    results = [None] * len(fns)
    barrier = threading.Barrier(len(fns))

    def target(i):
        barrier.wait(10)  # start together so the ops really interleave
        results[i] = fns[i]()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_four_threads_training_own_models_match_serial():
    # Models are built in this thread: initialisation draws from the one global generator, as in PyTorch.
    serial = [_train(_make_net(seed), _batches(seed, 4)) for seed in range(4)]
    jobs = [(_make_net(seed), _batches(seed, 4)) for seed in range(4)]
    threaded = _run_threads([lambda job=job: _train(*job) for job in jobs])
    for (losses, weights), (t_losses, t_weights) in zip(serial, threaded):
        # float64 and the same seeds: only the summation order of conv tiles may differ between runs
        np.testing.assert_allclose(t_losses, losses, rtol=1e-12)
        for w, tw in zip(weights, t_weights):
            np.testing.assert_allclose(tw, w, rtol=1e-10, atol=1e-12)


def test_threaded_inference_on_shared_model_matches_serial():
    model = _make_net(0).eval()
    inputs = [x for x, _ in _batches(1, 8)]
    with nt.no_grad():
        serial = [model(x).numpy() for x in inputs]

    def infer(idx):
        with nt.no_grad():
            return [model(inputs[i]).numpy() for i in idx]

    # One thread infers without no_grad at the same time: its outputs must carry a graph.
    def with_graph():
        out = model(inputs[0])
        return out.requires_grad, out.grad_fn is not None

    threaded = _run_threads([lambda k=k: infer(range(k, 8, 4)) for k in range(4)] + [with_graph])
    for k in range(4):
        for i, out in zip(range(k, 8, 4), threaded[k]):
            np.testing.assert_array_equal(out, serial[i])
    assert threaded[4] == (True, True)


def test_threads_backpropagating_into_shared_parameters_sum_every_gradient():
    # Hogwild-style: every thread's backward accumulates into the same .grad, none may be lost
    nt.manual_seed(0)
    model = nn.Sequential(nn.Linear(128, 256), nn.Tanh(), nn.Linear(256, 1)).double()
    rng = np.random.default_rng(0)
    batches = [nt.tensor(rng.standard_normal((16, 128))) for _ in range(32)]

    def accumulate(chunk):
        for x in chunk:
            model(x).sum().backward()

    accumulate(batches)
    serial = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    _run_threads([lambda k=k: accumulate(batches[k::4]) for k in range(4)])
    for p, expected in zip(model.parameters(), serial):
        np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_threads_differentiating_one_shared_model_match_serial():
    # the case: forward + autograd.grad on the same model from 4 threads at once
    model = _make_net(0)
    params = list(model.parameters())
    batches = _batches(2, 8)

    def grads(idx):
        out = []
        for i in idx:
            x, y = batches[i]
            loss = nn.functional.cross_entropy(model(x), y)
            out.append([g.numpy() for g in nt.autograd.grad(loss, params)])
        return out

    serial = grads(range(8))
    threaded = _run_threads([lambda k=k: grads(range(k, 8, 4)) for k in range(4)])
    for k in range(4):
        for i, got in zip(range(k, 8, 4), threaded[k]):
            for g, expected in zip(got, serial[i]):
                np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-12)
