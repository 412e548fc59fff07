"""Module forms of the basic layers: reprs, parameter names, initialisation and outputs against PyTorch."""
import numpy as np
import pytest

import numbatorch
from numbatorch import nn

rng = np.random.default_rng(0)

# Module constructions written once and evaluated with both frameworks' ``nn``.
CONSTRUCTIONS = [
    "Identity(3, unused=True)", "Linear(5, 3)", "Linear(5, 3, bias=False)", "Bilinear(5, 4, 3)",
    "Flatten()", "Flatten(0, 1)", "Unflatten(1, (2, 2))", "Dropout(0.2)", "Dropout2d(0.3, inplace=True)",
    "AlphaDropout(0.1)", "ReLU()", "ReLU(inplace=True)", "ReLU6()", "LeakyReLU(0.2)", "PReLU(4)", "RReLU(0.1, 0.3)",
    "ELU(alpha=0.5)", "SELU()", "CELU(1.5)", "GELU(approximate='tanh')", "SiLU()", "Mish()", "Sigmoid()",
    "Tanh()", "Softplus(2.0, 10.0)", "Softsign()", "Softshrink(0.3)", "Hardshrink()", "Tanhshrink()",
    "Hardtanh(-2.0, 2.0)", "Hardsigmoid()", "Hardswish()", "LogSigmoid()", "GLU()", "Softmax(dim=1)",
    "Softmin(dim=1)", "LogSoftmax(dim=1)", "Softmax2d()", "Threshold(0.1, 20.0)",
    "ConstantPad1d(2, 3.5)", "ConstantPad2d((1, 0, 2, 1), 0.0)", "ZeroPad2d(1)", "ReflectionPad1d(2)",
    "ReflectionPad2d((1, 1, 2, 0))", "ReplicationPad2d(1)", "ReplicationPad3d(1)", "CircularPad1d(1)",
    "CircularPad2d((1, 2, 0, 1))", "Embedding(10, 3)", "Embedding(10, 3, padding_idx=2, max_norm=1.0)",
    "EmbeddingBag(10, 3, mode='sum')", "CosineSimilarity(dim=1)", "PairwiseDistance(p=1.0)",
    "MSELoss()", "L1Loss(reduction='sum')", "SmoothL1Loss(beta=0.5)", "HuberLoss(delta=2.0)", "BCELoss()",
    "BCEWithLogitsLoss()", "CrossEntropyLoss(label_smoothing=0.1)", "NLLLoss(ignore_index=1)",
    "KLDivLoss(reduction='batchmean')", "MultiMarginLoss(p=2)", "TripletMarginLoss(margin=0.5)",
    "Sequential(Linear(2, 4), ReLU(), Linear(4, 1))",
]


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_repr_and_state_dict_keys_match_torch(construction):
    torch = pytest.importorskip("torch")
    ours = eval(construction, vars(nn))
    theirs = eval(construction, vars(torch.nn))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert tuple(p.shape) == tuple(q.shape), name


def _copy_weights(src, dst, torch):
    dst.load_state_dict({k: torch.tensor(v.numpy()) for k, v in src.state_dict().items()})


MODULE_INPUTS = [
    ("Linear(5, 3)", [(4, 5)]), ("Bilinear(5, 4, 3)", [(2, 5), (2, 4)]), ("PReLU(4)", [(2, 4, 3)]),
    ("Flatten(1)", [(2, 3, 4)]), ("Unflatten(1, (2, 2))", [(3, 4)]), ("GLU()", [(3, 4)]),
    ("Softmax2d()", [(2, 3, 2, 2)]), ("ReflectionPad2d((1, 1, 2, 0))", [(1, 2, 3, 4)]),
    ("CircularPad1d(1)", [(2, 3, 4)]), ("CosineSimilarity(dim=1)", [(3, 4), (3, 4)]),
]


@pytest.mark.parametrize("construction,shapes", MODULE_INPUTS, ids=[c for c, _ in MODULE_INPUTS])
def test_module_forward_and_gradients_match_torch_with_copied_weights(construction, shapes):
    torch = pytest.importorskip("torch")
    ours = eval(construction, vars(nn))
    theirs = eval(construction, vars(torch.nn))
    _copy_weights(ours, theirs, torch)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    x_nb = [numbatorch.tensor(a, requires_grad=True) for a in arrays]
    x_th = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_nb, out_th = ours(*x_nb), theirs(*x_th)
    np.testing.assert_allclose(out_nb.detach().numpy(), out_th.detach().numpy(), rtol=1e-5, atol=1e-6)
    out_nb.sum().backward()
    out_th.sum().backward()
    for a, b in zip(x_nb, x_th):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("in_features", [3, 100])
def test_linear_default_init_is_uniform_within_pytorch_bounds(in_features):
    layer = nn.Linear(in_features, 2000)
    bound = 1 / np.sqrt(in_features)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # Uniform(-bound, bound) has standard deviation bound / sqrt(3).
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert layer.weight.dtype == numbatorch.float32 and layer.weight.requires_grad


def test_lazy_linear_infers_in_features_on_first_call():
    layer = nn.LazyLinear(3)
    out = layer(numbatorch.ones(2, 7))
    assert type(layer) is nn.Linear and layer.in_features == 7 and out.shape == (2, 3)
    assert layer.weight.shape == (3, 7)


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=1)
    assert emb.weight[1].tolist() == [0.0, 0.0, 0.0]
    emb(numbatorch.tensor([[1, 2, 1]])).sum().backward()
    assert emb.weight.grad[1].tolist() == [0.0, 0.0, 0.0]
    assert emb.weight.grad[2].tolist() == [1.0, 1.0, 1.0]


def test_embedding_from_pretrained_freezes_by_default():
    weights = numbatorch.arange(6.0).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(weights)
    assert not emb.weight.requires_grad
    assert emb(numbatorch.tensor([2])).tolist() == [[4.0, 5.0]]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_matches_torch(mode):
    torch = pytest.importorskip("torch")
    ours = nn.EmbeddingBag(10, 3, mode=mode)
    theirs = torch.nn.EmbeddingBag(10, 3, mode=mode)
    _copy_weights(ours, theirs, torch)
    idx, offsets = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 3, 5])
    out_nb = ours(numbatorch.tensor(idx), numbatorch.tensor(offsets))
    out_th = theirs(torch.tensor(idx), torch.tensor(offsets))
    np.testing.assert_allclose(out_nb.detach().numpy(), out_th.detach().numpy(), rtol=1e-6)
    out_nb.sum().backward()
    out_th.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)


def test_dropout_modules_follow_train_and_eval():
    x = numbatorch.ones(4, 8, 3, 3)
    for layer in (nn.Dropout(0.5), nn.Dropout2d(0.5), nn.AlphaDropout(0.5)):
        layer.eval()
        assert layer(x) is x
        layer.train()
        assert not np.array_equal(layer(x).numpy(), x.numpy())


def test_loss_modules_match_functional():
    x, y = numbatorch.randn(4, 3), numbatorch.tensor([0, 2, 1, 2])
    weight = numbatorch.tensor([1.0, 2.0, 0.5])
    loss = nn.CrossEntropyLoss(weight=weight, label_smoothing=0.1)(x, y)
    expected = nn.functional.cross_entropy(x, y, weight=weight, label_smoothing=0.1)
    assert loss.item() == expected.item()
    assert "weight" in dict(nn.CrossEntropyLoss(weight=weight).named_buffers())
