"""embedding_bag with padding_idx and per_sample_weights together against PyTorch: the padded entries leave their
bags with their weights."""
import numpy as np
import pytest

from tests.helpers import compare_with_torch

INDICES = np.array([1, 2, 2, 4, 2, 6, 0, 2])


@pytest.mark.parametrize("offsets, include_last_offset", [([0, 2, 2, 5], False), ([0, 3, 8], True), (None, False)])
def test_per_sample_weights_of_padded_entries_are_dropped(offsets, include_last_offset):
    rng = np.random.default_rng(0)
    weight, per_sample = rng.standard_normal((8, 3)), rng.standard_normal(INDICES.size)

    def bag(lib, w, psw):
        idx = lib.tensor(INDICES if offsets is not None else INDICES.reshape(2, 4))
        return lib.nn.functional.embedding_bag(
            idx, w, None if offsets is None else lib.tensor(offsets), mode="sum",
            per_sample_weights=psw if offsets is not None else psw.reshape(2, 4),
            include_last_offset=include_last_offset, padding_idx=2)
    compare_with_torch(bag, weight, per_sample, names=False)
