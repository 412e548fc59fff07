"""numbatorch.multiprocessing: shared parameters (Hogwild), tensors through queues, spawn's error reporting."""
import glob

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

    def train(rank, model, data, concurrent):
        torch.manual_seed(rank)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = data[rank]
        for _ in range(10):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()

    if __name__ == "__main__":
        method, concurrent = sys.argv[1], sys.argv[2] == "concurrent"
        mp.set_start_method(method)
        rng = np.random.default_rng(0)
        model = nn.Linear(4, 1)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.tensor(rng.normal(size=tuple(p.shape)), dtype=torch.float32))
        data = [(torch.tensor(rng.normal(size=(32, 4)), dtype=torch.float32),
                 torch.tensor(rng.normal(size=(32, 1)), dtype=torch.float32)) for _ in range(2)]
        model.share_memory()
        print("shared", all(p.is_shared() for p in model.parameters()))
        before = [p.detach().clone() for p in model.parameters()]
        processes = [mp.Process(target=train, args=(rank, model, data, concurrent)) for rank in range(2)]
        for p in processes:
            p.start()
            if not concurrent:
                p.join()  # one after the other: the result is deterministic and comparable with PyTorch
        for p in processes:
            p.join()
        print("exitcodes", *[p.exitcode for p in processes])
        print("changed", all(not torch.equal(a, b) for a, b in zip(before, model.parameters())))
        print("params", *torch.cat([p.detach().flatten() for p in model.parameters()]).tolist())
"""


def test_hogwild_updates_parent_model_like_pytorch(tmp_path):
    # spawn: the model travels to the children pickled, and each child installs the import hook itself.
    pytest.importorskip("torch")
    script = write_script(tmp_path, HOGWILD)
    ours = check(run_numbatorch(script, "spawn", "sequential"))
    theirs = check(run_torch(script, "spawn", "sequential"))
    for out in (ours, theirs):
        assert "shared True" in out and "exitcodes 0 0" in out and "changed True" in out
    np.testing.assert_allclose(numbers(ours, "params "), numbers(theirs, "params "), rtol=1e-5, atol=1e-6)


def test_hogwild_concurrent_updates_parent_model(tmp_path):
    out = check(run_numbatorch(write_script(tmp_path, HOGWILD), "fork", "concurrent"))
    assert "shared True" in out and "exitcodes 0 0" in out and "changed True" in out


def _produce(queue, shared):
    shared += 5
    queue.put(numbatorch.arange(4.0) * 2)  # made here, received by the parent after this process ends


def test_tensors_cross_processes_through_shared_memory():
    before = set(glob.glob("/dev/shm/numbatorch_*"))
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    shared = numbatorch.zeros(3)
    process = ctx.Process(target=_produce, args=(queue, shared))
    process.start()
    process.join(timeout=120)
    received = queue.get(timeout=60)
    assert process.exitcode == 0
    assert shared.is_shared() and received.is_shared()
    np.testing.assert_array_equal(shared.numpy(), np.full(3, 5.0, np.float32))
    np.testing.assert_array_equal(received.numpy(), np.arange(4.0, dtype=np.float32) * 2)
    del received
    assert set(glob.glob("/dev/shm/numbatorch_*")) - before <= {f"/dev/shm{n}" for n in _names(shared)}


def _names(tensor):
    from numbatorch.multiprocessing._shared_memory import segment_of
    return [segment_of(tensor._data).name]


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
