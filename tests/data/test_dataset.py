"""Datasets: TensorDataset, ConcatDataset (+), ChainDataset, Subset, StackDataset, random_split."""
import numpy as np
import pytest

import numbatorch
from numbatorch.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                                   Subset, TensorDataset, random_split)


class _Range(Dataset):
    def __init__(self, start, stop):
        self.values = list(range(start, stop))

    def __getitem__(self, i):
        return self.values[i]

    def __len__(self):
        return len(self.values)


class _Stream(IterableDataset):
    def __init__(self, values):
        self.values = values

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


def test_tensor_dataset_items_and_size_mismatch():
    x = numbatorch.from_numpy(np.arange(12.0).reshape(4, 3))
    y = numbatorch.from_numpy(np.array([0, 1, 0, 1]))
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    features, label = ds[2]
    np.testing.assert_array_equal(features.numpy(), np.arange(12.0).reshape(4, 3)[2])
    assert label.item() == 0
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, numbatorch.from_numpy(np.zeros(5)))


def test_tutorial_iris_split_and_concat():
    iris_x = np.random.default_rng(0).normal(size=(150, 4))
    iris_y = np.repeat(np.arange(3), 50)
    ds_iris = TensorDataset(numbatorch.tensor(iris_x), numbatorch.tensor(iris_y))
    assert ds_iris[0][0].numpy().dtype == np.float64 and ds_iris[0][1].numpy().dtype == np.int64
    n_train = int(len(ds_iris) * 0.8)
    ds_train, ds_val = random_split(ds_iris, [n_train, len(ds_iris) - n_train])
    assert (len(ds_train), len(ds_val)) == (120, 30)
    ds_data = ds_train + ds_val
    assert isinstance(ds_data, ConcatDataset) and len(ds_data) == 150
    # Every original row appears exactly once across the two splits.
    rows = sorted(tuple(ds_data[i][0].numpy().tolist()) for i in range(150))
    assert rows == sorted(tuple(r) for r in iris_x.tolist())


def test_concat_dataset_indexing():
    ds = _Range(0, 3) + _Range(10, 12)
    assert isinstance(ds, ConcatDataset)
    assert [ds[i] for i in range(len(ds))] == [0, 1, 2, 10, 11]
    assert ds[-1] == 11 and ds[-5] == 0
    assert ds.cumulative_sizes == [3, 5]
    with pytest.raises(ValueError, match="absolute value of index"):
        ds[-6]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([_Range(0, 2), _Stream([1])])


def test_chain_dataset():
    chained = _Stream([1, 2]) + _Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3] and len(chained) == 3


def test_subset_and_stack_dataset():
    base = _Range(100, 110)
    sub = Subset(base, [3, 1, 7])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [103, 101, 107]
    stacked = StackDataset(_Range(0, 3), _Range(5, 8))
    assert stacked[1] == (1, 6) and len(stacked) == 3
    named = StackDataset(a=_Range(0, 3), b=_Range(5, 8))
    assert named[2] == {"a": 2, "b": 7}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(_Range(0, 3), _Range(0, 4))
    with pytest.raises(ValueError):
        StackDataset(_Range(0, 3), b=_Range(0, 3))


def test_random_split_fractions_disjoint_and_reproducible():
    ds = _Range(0, 11)
    parts = random_split(ds, [0.5, 0.3, 0.2], generator=numbatorch.Generator().manual_seed(3))
    # floor(5.5, 3.3, 2.2) = (5, 3, 2); the remaining 1 goes to the first split.
    assert [len(p) for p in parts] == [6, 3, 2]
    values = [p[i] for p in parts for i in range(len(p))]
    assert sorted(values) == list(range(11))
    again = random_split(ds, [0.5, 0.3, 0.2], generator=numbatorch.Generator().manual_seed(3))
    assert [list(p.indices) for p in parts] == [list(p.indices) for p in again]
    numbatorch.manual_seed(5)
    first = random_split(ds, [5, 6])[0].indices
    numbatorch.manual_seed(5)
    assert random_split(ds, [5, 6])[0].indices == first
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 5])
