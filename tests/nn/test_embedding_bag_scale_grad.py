"""embedding_bag's scale_grad_by_freq: each row's gradient divided by its index's frequency in the input.

PyTorch 2.13's CPU kernel divides some rows by another index's count (pytorch/pytorch#190063, fixed upstream by
#190264); the inputs compared with it here are ones that bug leaves alone (every index as frequent, or the
frequencies rising with the index), and the general case is checked against F.embedding, whose scaling is
right on every backend.
"""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn as nn
import numbatorch.nn.functional as F

from ._compare import assert_same

rng = np.random.default_rng(0)

# (indices, offsets) with each index's frequency what PyTorch's CPU kernel uses too.
UNAFFECTED_CASES = [
    (np.array([1, 3, 1, 0, 3, 0]), np.array([0, 2, 5])),
    (np.array([2, 0, 2, 1, 2, 4, 4, 4]), np.array([0, 3, 3])),
]


@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("indices,offsets", UNAFFECTED_CASES)
def test_scale_grad_by_freq_matches_torch(indices, offsets, mode, padding_idx):
    torch = pytest.importorskip("torch")
    weight = rng.standard_normal((5, 3))

    def run(framework):
        return lambda w, i, o: framework.nn.functional.embedding_bag(i, w, o, mode=mode, scale_grad_by_freq=True,
                                                                     padding_idx=padding_idx)

    assert_same(run(numbatorch), run(torch), [weight, indices, offsets], torch,
                grad_inputs=(0,))


def test_scale_grad_by_freq_of_2d_input_matches_torch():
    torch = pytest.importorskip("torch")
    assert_same(lambda w, i: F.embedding_bag(i, w, scale_grad_by_freq=True, mode="sum"),
                lambda w, i: torch.nn.functional.embedding_bag(i, w, scale_grad_by_freq=True, mode="sum"),
                [rng.standard_normal((5, 3)), np.array([[0, 3, 3], [0, 4, 4]])], torch, grad_inputs=(0,))


def test_scale_grad_by_freq_divides_by_each_index_frequency():
    weight = numbatorch.tensor(rng.standard_normal((6, 3)), requires_grad=True)
    indices = numbatorch.tensor([1, 2, 1, 4, 1, 2, 0, 5])
    offsets = numbatorch.tensor([0, 3, 5])
    seed = numbatorch.tensor(rng.standard_normal((3, 3)))
    F.embedding_bag(indices, weight, offsets, mode="sum", scale_grad_by_freq=True).backward(seed)
    # The same bags summed from F.embedding rows, which scales by the frequencies over all its indices.
    expected = numbatorch.tensor(weight.detach().numpy(), requires_grad=True)
    rows = F.embedding(indices, expected, scale_grad_by_freq=True)
    numbatorch.stack([rows[0:3].sum(0), rows[3:5].sum(0), rows[5:].sum(0)]).backward(seed)
    np.testing.assert_allclose(weight.grad.numpy(), expected.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("flag", ["scale_grad_by_freq", "sparse"])
def test_max_mode_rejects_like_torch(flag):
    torch = pytest.importorskip("torch")
    errors = []
    for framework in (numbatorch, torch):
        with pytest.raises(ValueError) as caught:
            framework.nn.functional.embedding_bag(framework.tensor([0, 1]), framework.ones(3, 2),
                                                  framework.tensor([0]), mode="max", **{flag: True})
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


def test_module_passes_the_flag():
    torch = pytest.importorskip("torch")
    ours = nn.EmbeddingBag(5, 3, mode="sum", scale_grad_by_freq=True)
    theirs = torch.nn.EmbeddingBag(5, 3, mode="sum", scale_grad_by_freq=True)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
    indices, offsets = UNAFFECTED_CASES[1]
    ours(numbatorch.tensor(indices), numbatorch.tensor(offsets)).sum().backward()
    theirs(torch.tensor(indices), torch.tensor(offsets)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)
