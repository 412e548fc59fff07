"""Losses of nn.functional against PyTorch (values and gradients) and finite differences."""
import numpy as np
import pytest

import numbatorch
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck

from ._compare import assert_same

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 5))
Y = rng.standard_normal((4, 5))
P = rng.uniform(0.05, 0.95, (4, 5))
T01 = rng.uniform(0, 1, (4, 5))
SIGNS = np.where(rng.random(4) > 0.5, 1.0, -1.0)
CLASSES = np.array([0, 3, 1, 4])
MULTILABEL = np.array([[3, 0, -1, 1, 2], [1, 2, 4, -1, 0], [0, -1, 2, 2, 2], [4, 3, 2, 1, 0]])

# (name, positional arrays, kwargs); only float arrays get gradients.
CASES = [
    ("mse_loss", [X, Y], {}), ("l1_loss", [X, Y], {}), ("smooth_l1_loss", [X, Y], {"beta": 0.5}),
    ("huber_loss", [X, Y], {"delta": 0.7}), ("binary_cross_entropy", [P, T01], {}),
    ("binary_cross_entropy", [P, T01], {"weight": np.linspace(0.5, 2, 5)}),
    ("binary_cross_entropy_with_logits", [X * 3, T01], {}),
    ("binary_cross_entropy_with_logits", [X, T01], {"pos_weight": np.linspace(0.5, 3, 5)}),
    ("binary_cross_entropy_with_logits", [X, T01], {"weight": np.linspace(0.5, 2, 5)}),
    ("cross_entropy", [X, CLASSES], {}), ("cross_entropy", [X, CLASSES], {"weight": np.linspace(0.5, 2, 5)}),
    ("cross_entropy", [X, np.array([0, -100, 1, 4])], {"ignore_index": -100}),
    ("cross_entropy", [X, CLASSES], {"label_smoothing": 0.2}),
    ("cross_entropy", [X, CLASSES], {"label_smoothing": 0.1, "weight": np.linspace(0.5, 2, 5)}),
    ("cross_entropy", [X, T01 / T01.sum(1, keepdims=True)], {}),
    ("cross_entropy", [X, T01 / T01.sum(1, keepdims=True)], {"label_smoothing": 0.3}),
    ("cross_entropy", [rng.standard_normal((2, 3, 4, 2)), rng.integers(0, 3, (2, 4, 2))], {}),
    ("nll_loss", [X, CLASSES], {"weight": np.linspace(0.5, 2, 5)}),
    ("kl_div", [np.log(P), T01], {}), ("kl_div", [np.log(P), np.log(T01 + 0.1)], {"log_target": True}),
    ("margin_ranking_loss", [X[:, 0], Y[:, 0], SIGNS], {"margin": 0.3}),
    ("hinge_embedding_loss", [X, np.where(Y > 0, 1.0, -1.0)], {"margin": 0.5}),
    ("cosine_embedding_loss", [X, Y, SIGNS], {"margin": 0.1}),
    ("soft_margin_loss", [X, np.where(Y > 0, 1.0, -1.0)], {}),
    ("multilabel_soft_margin_loss", [X, (T01 > 0.5).astype(np.float64)], {}),
    ("multilabel_margin_loss", [X, MULTILABEL], {}),
    ("multi_margin_loss", [X, CLASSES], {}), ("multi_margin_loss", [X, CLASSES], {"p": 2, "margin": 0.5}),
    ("triplet_margin_loss", [X, Y, X[::-1].copy()], {"margin": 0.5}),
    ("poisson_nll_loss", [X, np.abs(Y)], {}), ("poisson_nll_loss", [P, np.abs(Y)], {"log_input": False}),
    ("gaussian_nll_loss", [X, Y, P], {}),
    ("gaussian_nll_loss", [X, Y, P[:, 0].copy()], {}), ("gaussian_nll_loss", [X, Y, P[:, :1].copy()], {"full": True}),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]
# Positions of the arguments PyTorch differentiates (targets of most losses are not differentiable there).
GRAD_INPUTS = {"margin_ranking_loss": {0, 1}, "cosine_embedding_loss": {0, 1}, "triplet_margin_loss": {0, 1, 2},
               "gaussian_nll_loss": {0, 1, 2}, "mse_loss": {0, 1}, "l1_loss": {0, 1}, "smooth_l1_loss": {0, 1},
               "huber_loss": {0, 1}, "binary_cross_entropy_with_logits": {0, 1}, "kl_div": {0, 1}}


def _kwargs(kwargs, lib):
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name,arrays,kwargs", CASES, ids=IDS)
def test_loss_matches_torch(name, arrays, kwargs, reduction):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF
    kw_nb = dict(_kwargs(kwargs, numbatorch), reduction=reduction)
    kw_th = dict(_kwargs(kwargs, torch), reduction=reduction)
    for dtype, tol in ((np.float64, 1e-9), (np.float32, 2e-5)):
        cast = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
        kw_nb = {k: (v.to(numbatorch.float32) if dtype == np.float32 and hasattr(v, "dtype")
                     and v.dtype == numbatorch.float64 else v) for k, v in kw_nb.items()}
        kw_th = {k: (v.float() if dtype == np.float32 and hasattr(v, "dtype") and v.dtype == torch.float64 else v)
                 for k, v in kw_th.items()}
        assert_same(lambda *t: getattr(F, name)(*t, **kw_nb), lambda *t: getattr(TF, name)(*t, **kw_th), cast,
                    torch, rtol=tol, atol=tol, grad_inputs=GRAD_INPUTS.get(name, {0}))


@pytest.mark.parametrize("name,arrays,kwargs", CASES, ids=IDS)
def test_loss_gradcheck(name, arrays, kwargs):
    grad_inputs = GRAD_INPUTS.get(name, {0})
    tensors = [numbatorch.tensor(a, requires_grad=a.dtype.kind == "f" and i in grad_inputs)
               for i, a in enumerate(arrays)]
    assert gradcheck(lambda *t: getattr(F, name)(*t, **_kwargs(kwargs, numbatorch)), tensors)


def test_gaussian_nll_loss_var_checks_and_clamp_match_torch():
    torch = pytest.importorskip("torch")
    for lib, fn in ((numbatorch, F.gaussian_nll_loss), (torch, torch.nn.functional.gaussian_nll_loss)):
        x, y = lib.tensor(X), lib.tensor(Y)
        with pytest.raises(ValueError, match="var is of incorrect size"):
            fn(x, y, lib.tensor(P[:2]))
        with pytest.raises(ValueError, match="var has negative entry"):
            fn(x, y, -0.5)
    # A float var; and var below eps, which is clamped outside autograd so its gradient still flows.
    var = P * np.where(rng.random(P.shape) > 0.5, 1.0, 1e-8)
    assert_same(lambda a, b, v: F.gaussian_nll_loss(a, b, v) + F.gaussian_nll_loss(a, b, 0.5),
                lambda a, b, v: torch.nn.functional.gaussian_nll_loss(a, b, v)
                + torch.nn.functional.gaussian_nll_loss(a, b, 0.5),
                [X, Y, var], torch, rtol=1e-9, atol=1e-9, grad_inputs={0, 1, 2})


def test_bce_with_logits_is_finite_for_extreme_logits():
    x = numbatorch.tensor([100.0, -100.0, 50.0], requires_grad=True)
    y = numbatorch.tensor([0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [100.0, 100.0, 0.0], atol=1e-6)
    loss.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_cross_entropy_class_index_out_of_range_raises():
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(numbatorch.randn(2, 5), numbatorch.tensor([1, 7]))


def test_cross_entropy_float_targets_of_wrong_shape_raise():
    with pytest.raises(RuntimeError):
        F.cross_entropy(numbatorch.randn(2, 5), numbatorch.tensor([1.0, 0.0]))


def test_cross_entropy_batch_size_mismatch_raises():
    with pytest.raises(ValueError, match=r"Expected input batch_size \(2\) to match target batch_size \(3\)"):
        F.cross_entropy(numbatorch.randn(2, 5), numbatorch.tensor([1, 0, 2]))


def test_bce_rejects_mismatched_sizes():
    with pytest.raises(ValueError):
        F.binary_cross_entropy(numbatorch.rand(3, 1), numbatorch.rand(3))


def test_bce_rejects_out_of_range_probabilities():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(numbatorch.tensor([1.5]), numbatorch.tensor([1.0]))


def test_invalid_reduction_raises():
    with pytest.raises(ValueError):
        F.mse_loss(numbatorch.ones(2), numbatorch.ones(2), reduction="avg")
