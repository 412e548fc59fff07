"""torch.embedding_bag (the ATen form with PyTorch's auxiliary outputs) against PyTorch: values, dtypes, errors
and gradients."""
import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")

_WEIGHT = np.random.default_rng(0).standard_normal((10, 3))
_WEIGHT[7] = _WEIGHT[2]                                      # equal rows: max_indices takes the first
_INDICES = [1, 2, 4, 5, 4, 3, 2, 9, 7, 2]
_OFFSETS = [0, 4, 4, 6]
_PSW = np.random.default_rng(1).standard_normal(10)


def _call(lib, mode, include_last_offset=False, padding_idx=None, psw=False, index_dtype="int64",
          offsets=_OFFSETS):
    weight = lib.tensor(_WEIGHT, requires_grad=True)
    weights = lib.tensor(_PSW, requires_grad=True) if psw else None
    indices = lib.tensor(_INDICES, dtype=getattr(lib, index_dtype))
    results = lib.embedding_bag(weight, indices, lib.tensor(offsets, dtype=getattr(lib, index_dtype)), False, mode,
                                False, weights, include_last_offset, padding_idx)
    (results[0] * lib.tensor(np.arange(results[0].numel(), dtype=np.float64).reshape(results[0].shape))).sum() \
        .backward()
    grads = [weight.grad.numpy()] + ([weights.grad.numpy()] if psw else [])
    return [(str(r.dtype).split(".")[-1], r.detach().numpy()) for r in results], grads


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("include_last_offset,offsets", [(False, _OFFSETS), (True, _OFFSETS + [10])])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_outputs_and_gradients_match_torch(mode, include_last_offset, offsets, padding_idx):
    got, want = (_call(lib, mode, include_last_offset, padding_idx, offsets=offsets) for lib in (numbatorch, torch))
    _assert_same(got, want)


@pytest.mark.parametrize("psw,index_dtype", [(True, "int64"), (False, "int32")])
def test_per_sample_weights_and_int32_indices_match_torch(psw, index_dtype):
    got, want = (_call(lib, 0 if psw else 2, psw=psw, index_dtype=index_dtype) for lib in (numbatorch, torch))
    _assert_same(got, want)


def _assert_same(got, want):
    assert len(got[0]) == len(want[0])
    for (g_dtype, g), (w_dtype, w) in zip(got[0], want[0]):
        assert g_dtype == w_dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12)
    for g, w in zip(got[1], want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, 1, False, lib.ones(10, dtype=lib.float64)),
    lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, 0, False, lib.ones(7, dtype=lib.float64)),
    lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, 3),
    lambda lib, w, i, o: lib.embedding_bag(w, i, o[None], False, 0),
    lambda lib, w, i, o: lib.embedding_bag(w, i.float(), o, False, 0),
    lambda lib, w, i, o: lib.embedding_bag(w, i, o + 1, False, 0),
    lambda lib, w, i, o: lib.embedding_bag(w, i, lib.tensor([0, 11]), False, 0),
    lambda lib, w, i, o: lib.embedding_bag(w, i + 5, o, False, 0),
])
def test_errors_match_torch(call):
    messages = []
    for lib in (numbatorch, torch):
        with pytest.raises(RuntimeError) as info:
            call(lib, lib.tensor(_WEIGHT), lib.tensor(_INDICES), lib.tensor(_OFFSETS))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_forward_only_sum_outputs_match_torch(dtype, include_last_offset):
    results = []
    for lib in (numbatorch, torch):
        weight = lib.tensor(_WEIGHT, dtype=getattr(lib, dtype))
        out = lib.embedding_bag(weight, lib.tensor(_INDICES), lib.tensor(_OFFSETS + [10]), False, 0, False, None,
                                include_last_offset)
        results.append([t.numpy() for t in out])
    assert len(results[0]) == len(results[1])
    for got, want in zip(*results):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6)
