"""numbatorch.multiprocessing: shared parameters (Hogwild), tensors through queues, spawn's error reporting."""
import glob
from queue import Empty

import numpy as np
import pytest

import numbatorch
import numbatorch.multiprocessing as mp

from ._scripts import check, numbers, run_numbatorch, run_torch, write_script

HOGWILD = """
    import sys
    import numpy as np
    import torch
    import torch.multiprocessing as mp
    import torch.nn as nn

    def train(rank, model, data):
        torch.manual_seed(rank)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = data[rank]
        for _ in range(10):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()

    def hogwild(model, data, concurrent):
        processes = [mp.Process(target=train, args=(rank, model, data)) for rank in range(2)]
        for p in processes:
            p.start()
            if not concurrent:
                p.join()  # one after the other: the result is deterministic and comparable with PyTorch
        for p in processes:
            p.join()
        return [p.exitcode for p in processes]

    if __name__ == "__main__":
        mp.set_start_method(sys.argv[1])
        torch.set_num_threads(1)
        # PyTorch imports much of its optimizer machinery on first use: once here, not in each forked child.
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        rng = np.random.default_rng(0)
        model = nn.Linear(4, 1)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(size=tuple(p.shape)), dtype=torch.float32))
        data = [(torch.tensor(rng.normal(size=(32, 4)), dtype=torch.float32),
                 torch.tensor(rng.normal(size=(32, 1)), dtype=torch.float32)) for _ in range(2)]
        model.share_memory()
        print("shared", all(p.is_shared() for p in model.parameters()))
        print("exitcodes", *hogwild(model, data, concurrent=False))
        print("params", *torch.cat([p.detach().flatten() for p in model.parameters()]).tolist())
        before = [p.detach().clone() for p in model.parameters()]
        print("exitcodes", *hogwild(model, data, concurrent=True))
        print("changed", all(not torch.equal(a, b) for a, b in zip(before, model.parameters())))
"""


def test_hogwild_updates_parent_model_like_pytorch(tmp_path):
    # Two processes train the parent's shared model one after the other (compared with PyTorch), then at once.
    # fork keeps it quick; spawned children are covered by the queue test below and by tests/compat/test_run_command.
    pytest.importorskip("torch")
    script = write_script(tmp_path, HOGWILD)
    ours = check(run_numbatorch(script, "fork"))
    theirs = check(run_torch(script, "fork"))
    for out in (ours, theirs):
        assert "shared True" in out and out.count("exitcodes 0 0") == 2 and "changed True" in out
    np.testing.assert_allclose(numbers(ours, "params "), numbers(theirs, "params "), rtol=1e-5, atol=1e-6)


def _produce(queue, shared, model):
    shared += 5
    with numbatorch.no_grad():
        model.weight.add_(1.0)  # a Parameter pickled to this spawned process: same memory as the parent's
    queue.put(numbatorch.arange(4.0) * 2)  # made here, received by the parent after this process ends


def test_tensors_cross_processes_through_shared_memory():
    before = set(glob.glob("/dev/shm/numbatorch_*"))
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    shared = numbatorch.zeros(3)
    model = numbatorch.nn.Linear(2, 2).share_memory()
    weight = model.weight.detach().numpy().copy()
    process = ctx.Process(target=_produce, args=(queue, shared, model))
    process.start()
    try:
        # Received before joining (the multiprocessing guidelines' order); a spawned child imports numbatorch
        # afresh, which on a loaded 2-core machine has been seen to take minutes.
        received = queue.get(timeout=60)
    except Empty:
        process.kill()
        pytest.fail(f"the spawned process sent nothing (alive: {process.is_alive()}, exitcode {process.exitcode})")
    process.join(timeout=120)
    assert process.exitcode == 0
    assert shared.is_shared() and received.is_shared()
    np.testing.assert_array_equal(shared.numpy(), np.full(3, 5.0, np.float32))
    np.testing.assert_array_equal(received.numpy(), np.arange(4.0, dtype=np.float32) * 2)
    np.testing.assert_array_equal(model.weight.detach().numpy(), weight + 1)
    del received
    alive = {f"/dev/shm{_segment_name(t)}" for t in (shared, *model.parameters())}
    assert set(glob.glob("/dev/shm/numbatorch_*")) - before <= alive


def _segment_name(tensor):
    from numbatorch.multiprocessing._shared_memory import segment_of
    return segment_of(tensor._data).name


def test_share_memory_of_a_view_is_refused():
    base = numbatorch.zeros(4, 4)
    with pytest.raises(RuntimeError, match=r"shape \(4,\) is a view"):
        base[0].share_memory_()
    assert not base.is_shared() and base.share_memory_().is_shared()


def _fail(rank):
    if rank == 1:
        raise ValueError("rank one failed")


def test_spawn_reports_a_child_error():
    with pytest.raises(mp.ProcessRaisedException, match="rank one failed") as info:
        mp.spawn(_fail, nprocs=2, start_method="fork")
    assert info.value.error_index == 1
