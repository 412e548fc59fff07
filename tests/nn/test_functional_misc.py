"""linear, bilinear, dropout, pad, embedding, one_hot, distances against PyTorch and finite differences."""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck

from ._compare import assert_same

rng = np.random.default_rng(0)


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,)])
def test_linear_matches_torch(shape, with_bias):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(shape), rng.standard_normal((2, 3))] + ([rng.standard_normal(2)] if with_bias else [])
    assert_same(F.linear, torch.nn.functional.linear, arrays, torch)
    assert gradcheck(F.linear, [numbatorch.tensor(a, requires_grad=True) for a in arrays])


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)"):
        F.linear(numbatorch.ones(4, 3), numbatorch.ones(2, 5))


def test_bilinear_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((5, 3, 2)),
              rng.standard_normal(5)]
    assert_same(F.bilinear, torch.nn.functional.bilinear, arrays, torch)
    assert gradcheck(F.bilinear, [numbatorch.tensor(a, requires_grad=True) for a in arrays])


PAD_CASES = [((1, 2), "constant"), ((1, 2, 0, 1), "constant"), ((-1, 2), "constant"), ((1, 1), "reflect"),
             ((2, 1, 1, 2), "reflect"), ((1, 2), "replicate"), ((2, 0, 1, 1), "replicate"),
             ((1, 2), "circular"), ((1, 1, 2, 0), "circular"), ((1, 1, 1, 1, 1, 1), "replicate")]


@pytest.mark.parametrize("pad,mode", PAD_CASES)
def test_pad_matches_torch(pad, mode):
    torch = pytest.importorskip("torch")
    # PyTorch pads k dims of non-constant modes only for (k+1)- or (k+2)-D inputs.
    shape = {2: (2, 3, 5), 4: (2, 3, 4, 5), 6: (2, 2, 3, 4, 5)}[len(pad)]
    x = rng.standard_normal(shape)
    assert_same(lambda t: F.pad(t, pad, mode), lambda t: torch.nn.functional.pad(t, pad, mode), [x], torch)


@pytest.mark.parametrize("pad,mode", PAD_CASES[:8])
def test_pad_gradcheck(pad, mode):
    x = numbatorch.tensor(rng.standard_normal((1, 2, 3, 4)[:len(pad) // 2 + 2]), requires_grad=True)
    assert gradcheck(lambda t: F.pad(t, pad, mode), (x,))


def test_pad_constant_value_and_errors():
    out = F.pad(numbatorch.zeros(1, 2), (1, 1), value=7.0)
    assert out.tolist() == [[7.0, 0.0, 0.0, 7.0]]
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(numbatorch.zeros(2, 2), (1,))
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(numbatorch.zeros(1, 1, 3), (3, 0), mode="reflect")


def test_dropout_train_and_eval():
    x = numbatorch.ones(20000)
    y = F.dropout(x, 0.3, training=True)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7, rtol=1e-6)
    assert F.dropout(x, 0.3, training=False) is x
    with pytest.raises(ValueError):
        F.dropout(x, 1.5)


def test_dropout_gradient_uses_the_same_mask():
    x = numbatorch.ones(1000, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_dropout2d_zeroes_whole_channels():
    y = F.dropout2d(numbatorch.ones(8, 16, 5, 5), 0.5, training=True).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0 < (per_channel == 0).all(-1).mean() < 1


def test_alpha_dropout_keeps_mean_and_variance():
    x = numbatorch.randn(200000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((6, 3))
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    assert_same(lambda t: F.embedding(numbatorch.tensor(idx), t, padding_idx=2),
                lambda t: torch.nn.functional.embedding(torch.tensor(idx), t, padding_idx=2), [w], torch)


def test_embedding_max_norm_renormalises_rows_like_torch():
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((6, 3)) * 3
    idx = np.array([1, 3, 3])
    w_nb, w_th = numbatorch.tensor(w), torch.tensor(w)
    F.embedding(numbatorch.tensor(idx), w_nb, max_norm=1.0)
    torch.nn.functional.embedding(torch.tensor(idx), w_th, max_norm=1.0)
    np.testing.assert_allclose(w_nb.numpy(), w_th.numpy(), rtol=1e-6)


def test_embedding_index_out_of_range_raises():
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(numbatorch.tensor([6]), numbatorch.zeros(6, 2))


def test_one_hot_matches_torch_and_checks_range():
    torch = pytest.importorskip("torch")
    idx = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(F.one_hot(numbatorch.tensor(idx), 5).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(idx), 5).numpy())
    assert F.one_hot(numbatorch.tensor([0, 2])).shape == (2, 3)
    assert F.one_hot(numbatorch.tensor([0, 2])).dtype == numbatorch.int64
    with pytest.raises(RuntimeError):
        F.one_hot(numbatorch.tensor([0, 5]), 3)


@pytest.mark.parametrize("fn,kwargs", [("cosine_similarity", {"dim": 1}), ("pairwise_distance", {"p": 1.5}),
                                       ("normalize", {"p": 2.0, "dim": 1})])
def test_distances_match_torch(fn, kwargs):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal((4, 5))] + ([] if fn == "normalize" else [rng.standard_normal((4, 5))])
    assert_same(lambda *t: getattr(F, fn)(*t, **kwargs), lambda *t: getattr(torch.nn.functional, fn)(*t, **kwargs),
                arrays, torch)
    assert gradcheck(lambda *t: getattr(F, fn)(*t, **kwargs), [numbatorch.tensor(a, requires_grad=True) for a in arrays])
