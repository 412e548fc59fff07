"""F.embedding / F.embedding_bag / nn.Embedding(Bag) argument errors: PyTorch's Python-level errors and its
kernels' RuntimeErrors."""
import pytest

import numbatorch

INDICES = [1, 2, 1, 4, 1, 2, 0, 5]

CASES = {
    "2d input with offsets": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES).view(2, 4), w,
                                                                        m.tensor([0, 1])),
    "2-d offsets": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES), w, m.tensor([[0, 1]])),
    "3-d input": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES).view(2, 2, 2), w),
    "1-d weight": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES), w[:, 0], m.tensor([0])),
    "per_sample_weights shape": lambda m, w: m.nn.functional.embedding_bag(
        m.tensor(INDICES), w, m.tensor([0]), mode="sum", per_sample_weights=m.ones(3)),
    "per_sample_weights with mean": lambda m, w: m.nn.functional.embedding_bag(
        m.tensor(INDICES), w, m.tensor([0]), mode="mean", per_sample_weights=m.ones(8)),
    "unknown mode": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES), w, m.tensor([0]), mode="prod"),
    "float indices": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES).float(), w, m.tensor([0])),
    "index too large (mean)": lambda m, w: m.nn.functional.embedding_bag(m.tensor([7]), w, m.tensor([0])),
    "negative index (max)": lambda m, w: m.nn.functional.embedding_bag(m.tensor([-1]), w, m.tensor([0]),
                                                                       mode="max"),
    "index too large (padding_idx)": lambda m, w: m.nn.functional.embedding_bag(m.tensor([7]), w, m.tensor([0]),
                                                                                padding_idx=1),
    "first offset not 0": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES), w, m.tensor([1, 3])),
    "last offset beyond": lambda m, w: m.nn.functional.embedding_bag(m.tensor(INDICES), w, m.tensor([0, 9])),
    "empty rows": lambda m, w: m.nn.functional.embedding_bag(m.zeros(2, 0, dtype=m.long), w),
    "bag padding_idx too large": lambda m, w: m.nn.functional.embedding_bag(m.tensor([1]), w, m.tensor([0]),
                                                                            padding_idx=6),
    "embedding padding_idx too large": lambda m, w: m.nn.functional.embedding(m.tensor([1]), w, padding_idx=6),
    "embedding padding_idx too small": lambda m, w: m.nn.functional.embedding(m.tensor([1]), w, padding_idx=-7),
    "embedding float indices": lambda m, w: m.nn.functional.embedding(m.tensor([1.0]), w),
    "embedding float indices with max_norm": lambda m, w: m.nn.functional.embedding(m.tensor([1.0]), w, max_norm=1.0),
    "embedding 1-d weight": lambda m, w: m.nn.functional.embedding(m.tensor([1]), w[:, 0]),
    "embedding index too large": lambda m, w: m.nn.functional.embedding(m.tensor([6]), w),
    "Embedding padding_idx": lambda m, w: m.nn.Embedding(5, 2, padding_idx=5),
    "EmbeddingBag padding_idx": lambda m, w: m.nn.EmbeddingBag(5, 2, padding_idx=-6),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_embedding_bag_errors_match_torch(name):
    torch = pytest.importorskip("torch")
    raised = []
    for framework in (numbatorch, torch):
        with pytest.raises(Exception) as caught:
            CASES[name](framework, framework.arange(18.0).reshape(6, 3))
        raised.append((type(caught.value).__name__, str(caught.value)))
    assert raised[0] == raised[1]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_negative_padding_idx_of_embedding_bag_counts_from_the_end_like_torch(mode):
    torch = pytest.importorskip("torch")
    results = []
    for framework in (numbatorch, torch):
        weight = framework.arange(18.0).reshape(6, 3)
        out = framework.nn.functional.embedding_bag(framework.tensor([5, 1, 2, 5]), weight, framework.tensor([0, 2]),
                                                    mode=mode, padding_idx=-1)
        results.append(out.tolist())
    assert results[0] == results[1]


def test_decreasing_offsets_raise_pytorchs_error():
    """PyTorch raises it from its FBGEMM sum kernel with the bags split over two threads (on one thread, and in
    its other kernels, it reads out of the bag instead); numbatorch raises it for every mode and dtype."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with pytest.raises(RuntimeError) as theirs:
            torch.nn.functional.embedding_bag(torch.tensor([1, 2, 3, 4]), torch.arange(18.0).reshape(6, 3),
                                              torch.tensor([0, 3, 2]), mode="sum")
    finally:
        torch.set_num_threads(threads)
    indices = numbatorch.tensor([1, 2, 3, 4])
    for dtype in (numbatorch.float32, numbatorch.float64):
        weight = numbatorch.arange(18.0, dtype=dtype).reshape(6, 3)
        for mode in ("sum", "mean", "max"):
            for offsets, include_last_offset in (([0, 3, 2], False), ([0, 3, 2, 4], True)):
                with pytest.raises(RuntimeError) as ours:
                    numbatorch.nn.functional.embedding_bag(indices, weight, numbatorch.tensor(offsets), mode=mode,
                                                           include_last_offset=include_last_offset)
                assert str(ours.value) == str(theirs.value)
        with pytest.raises(RuntimeError) as ours:
            numbatorch.embedding_bag(weight, indices, numbatorch.tensor([0, 3, 2]))
        assert str(ours.value) == str(theirs.value)
