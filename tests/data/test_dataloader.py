"""DataLoader: the tutorial's uses, option conflicts, order and seeding with worker processes."""
import random

import numpy as np
import pytest

import numbatorch
from numbatorch.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,
                                   SequentialSampler, TensorDataset, get_worker_info)


class _Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"index": i, "square": np.array([i * i], dtype=np.int64)}

    def __len__(self):
        return self.n


class _RandomDraws(Dataset):
    """Each sample reports the worker's random streams, so seeding can be checked."""

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.seed, random.random(), float(np.random.rand()),
                float(numbatorch.rand(1).item()))

    def __len__(self):
        return 8


def test_tutorial_first_batch_and_manual_pipeline():
    ds = TensorDataset(numbatorch.randn(1000, 3), numbatorch.randint(low=0, high=2, size=(1000,)).float())
    features, labels = next(iter(DataLoader(ds, batch_size=4, drop_last=False)))
    assert tuple(features.shape) == (4, 3) and tuple(labels.shape) == (4,)
    np.testing.assert_array_equal(features.numpy(), ds.tensors[0].numpy()[:4])

    batch_sampler = BatchSampler(sampler=RandomSampler(data_source=ds), batch_size=4, drop_last=False)
    indices = next(iter(batch_sampler))
    batch = [ds[i] for i in indices]
    stacked = numbatorch.stack([s[0] for s in batch])
    np.testing.assert_array_equal(stacked.numpy(), ds.tensors[0].numpy()[indices])


def test_tutorial_workers_shuffle_drop_last():
    ds = TensorDataset(numbatorch.arange(1, 50))
    dl = DataLoader(ds, batch_size=10, shuffle=True, num_workers=2, drop_last=True)
    batches = [batch.numpy().tolist() for batch, in dl]
    assert len(batches) == 4 and all(len(b) == 10 for b in batches)
    values = [v for b in batches for v in b]
    assert len(set(values)) == 40 and set(values) <= set(range(1, 50))
    assert len(dl) == 4


def test_workers_keep_batch_order():
    ds = _Squares(23)
    single = [b["index"].numpy().tolist() for b in DataLoader(ds, batch_size=3)]
    multi = [b["index"].numpy().tolist() for b in DataLoader(ds, batch_size=3, num_workers=2)]
    assert multi == single == [list(range(i, min(i + 3, 23))) for i in range(0, 23, 3)]


def test_shuffle_reproducible_under_manual_seed():
    ds = _Squares(20)

    def epoch():
        return [b["index"].numpy().tolist() for b in DataLoader(ds, batch_size=4, shuffle=True,
                                                                  num_workers=2)]
    numbatorch.manual_seed(11)
    first = epoch()
    numbatorch.manual_seed(11)
    assert epoch() == first
    assert sorted(v for b in first for v in b) == list(range(20))


def test_worker_seeding_differs_per_worker_and_repeats():
    def run():
        numbatorch.manual_seed(3)
        loader = DataLoader(_RandomDraws(), batch_size=None, num_workers=2)
        return [tuple(v.item() if hasattr(v, "item") else v for v in sample) for sample in loader]
    first, second = run(), run()
    assert first == second
    by_worker = {}
    for worker_id, seed, py, npy, nb in first:
        by_worker.setdefault(worker_id, set()).add(seed)
    assert set(by_worker) == {0, 1}
    seed0, seed1 = by_worker[0].pop(), by_worker[1].pop()
    assert seed1 == seed0 + 1  # worker seed = base_seed + worker_id
    draws0 = [s[2:] for s in first if s[0] == 0]
    draws1 = [s[2:] for s in first if s[0] == 1]
    for k in range(3):  # python random, numpy, numbatorch streams all differ between workers
        assert draws0[0][k] != draws1[0][k]


def test_get_worker_info_is_none_in_main_process():
    assert get_worker_info() is None


class _Sharded(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


@pytest.mark.parametrize("persistent", [False, True])
def test_iterable_dataset_sharding_without_duplicates(persistent):
    dl = DataLoader(_Sharded(17), batch_size=4, num_workers=2, persistent_workers=persistent)
    for _ in range(2 if persistent else 1):
        values = [v for batch in dl for v in batch.numpy().tolist()]
        assert sorted(values) == list(range(17))


def test_batch_size_none_and_custom_collate():
    ds = _Squares(5)
    items = list(DataLoader(ds, batch_size=None))
    assert [d["index"] for d in items] == list(range(5))
    assert isinstance(items[0]["square"], numbatorch.Tensor)
    sizes = [len(b) for b in DataLoader(ds, batch_size=2, collate_fn=lambda b: b)]
    assert sizes == [2, 2, 1]


def test_persistent_workers_reuse_processes():
    dl = DataLoader(_Squares(9), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b["index"].numpy().tolist() for b in dl]
    workers = list(dl._iterator._workers)
    second = [b["index"].numpy().tolist() for b in dl]
    assert first == second and list(dl._iterator._workers) == workers
    del dl


def test_conflicting_options_raise_like_pytorch():
    ds = _Squares(4)
    sampler = SequentialSampler(ds)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=sampler, shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=BatchSampler(sampler, 2, False), batch_size=2)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(ds, timeout=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used"):
        DataLoader(ds, multiprocessing_context="fork")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(ds, num_workers=1, multiprocessing_context="nonsense")
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(_Sharded(3), shuffle=True)
    dl = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        dl.batch_size = 3


def test_len():
    assert len(DataLoader(_Squares(10), batch_size=3)) == 4
    assert len(DataLoader(_Squares(10), batch_size=3, drop_last=True)) == 3

    class Sized(_Sharded):
        def __len__(self):
            return self.n
    assert len(DataLoader(Sized(10), batch_size=4)) == 3
