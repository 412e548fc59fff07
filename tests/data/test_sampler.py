"""Samplers: orders, statistics, reproducibility under manual_seed/generator, errors."""
import numpy as np
import pytest

import numbatorch
from numbatorch.utils.data import (BatchSampler, DistributedSampler, RandomSampler, SequentialSampler,
                                   SubsetRandomSampler, WeightedRandomSampler)

DATA = list(range(10))


def test_sequential():
    assert list(SequentialSampler(DATA)) == DATA and len(SequentialSampler(DATA)) == 10


def test_random_sampler_is_a_permutation_and_reproducible():
    numbatorch.manual_seed(1)
    first = list(RandomSampler(DATA))
    numbatorch.manual_seed(1)
    assert list(RandomSampler(DATA)) == first
    assert sorted(first) == DATA
    g1, g2 = numbatorch.Generator().manual_seed(7), numbatorch.Generator().manual_seed(7)
    assert list(RandomSampler(DATA, generator=g1)) == list(RandomSampler(DATA, generator=g2))
    # num_samples larger than the data: whole permutations, then a partial one.
    drawn = list(RandomSampler(DATA, num_samples=25))
    assert len(drawn) == 25 and sorted(drawn[:10]) == DATA and sorted(drawn[10:20]) == DATA


def test_random_sampler_with_replacement_is_uniform():
    n, draws = 5, 20000
    counts = np.bincount(list(RandomSampler(range(n), replacement=True, num_samples=draws)), minlength=n)
    expected = draws / n
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 25.0  # chi-square with 4 dof: p < 1e-4 beyond this


def test_random_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(DATA, replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(DATA, num_samples=0)


def test_subset_random_sampler():
    indices = [3, 5, 8]
    out = list(SubsetRandomSampler(indices))
    assert sorted(out) == indices and len(SubsetRandomSampler(indices)) == 3


def test_weighted_random_sampler_statistics():
    weights = [1.0, 0.0, 3.0, 6.0]
    draws = 20000
    counts = np.bincount(list(WeightedRandomSampler(weights, draws)), minlength=4)
    assert counts[1] == 0
    freq = counts / draws
    np.testing.assert_allclose(freq, np.array(weights) / 10.0, atol=0.015)
    without = list(WeightedRandomSampler([1.0, 1.0, 1.0, 0.0], 3, replacement=False))
    assert sorted(without) == [0, 1, 2]
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


def test_batch_sampler():
    assert list(BatchSampler(SequentialSampler(DATA), 4, False)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(BatchSampler(SequentialSampler(DATA), 4, True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(BatchSampler(DATA, 4, False)) == 3 and len(BatchSampler(DATA, 4, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(DATA, 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(DATA, 2, 0)


@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_shards(drop_last):
    data = list(range(11))
    shards = [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=True, seed=4,
                                      drop_last=drop_last)) for r in range(3)]
    sizes = {len(s) for s in shards}
    assert sizes == ({3} if drop_last else {4})
    union = [i for s in shards for i in s]
    if drop_last:
        assert len(set(union)) == 9  # disjoint, the tail dropped
    else:
        assert set(union) == set(data)  # all covered, one padded duplicate
    sampler = DistributedSampler(data, num_replicas=3, rank=0, seed=4)
    first = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != first or len(first) < 2
    sampler.set_epoch(0)
    assert list(sampler) == first
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(data, num_replicas=3, rank=3)
