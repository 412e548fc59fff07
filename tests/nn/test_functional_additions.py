"""rms_norm/RMSNorm, in-place activations, gumbel_softmax, channel_shuffle, *_with_indices pools,
triplet_margin_with_distance_loss, affine_grid/grid_sample and dropout2d on 2-D input, against PyTorch."""
import warnings

import numpy as np
import pytest

import numbatorch as nt
import numbatorch.nn.functional as F
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(0)


def _both(data, grad=True):
    return nt.tensor(data, requires_grad=grad), torch.tensor(data, requires_grad=grad)


def _close(ours, theirs, rtol=1e-6, atol=1e-9):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


def _compare(fn_ours, fn_theirs, *arrays, rtol=1e-6):
    """Same values and the same input gradients of a random weighted sum of the output."""
    pairs = [_both(a) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fn_ours(*[p[0] for p in pairs])
        theirs = fn_theirs(*[p[1] for p in pairs])
    _close(ours, theirs, rtol)
    w = RNG.standard_normal(tuple(theirs.shape))
    (ours * nt.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    for a, b in pairs:
        _close(a.grad, b.grad, rtol)


X = RNG.standard_normal((2, 3, 4))


@pytest.mark.parametrize("shape,eps", [((4,), None), ((3, 4), 1e-3)])
def test_rms_norm(shape, eps):
    weight = RNG.standard_normal(shape)
    _compare(lambda x, w: F.rms_norm(x, shape, w, eps), lambda x, w: TF.rms_norm(x, shape, w, eps), X, weight)
    assert gradcheck(lambda x: F.rms_norm(x, shape, eps=eps), (nt.tensor(X, requires_grad=True),))


def test_rms_norm_module_and_errors():
    ours, theirs = nt.nn.RMSNorm([3, 4], eps=1e-4), torch.nn.RMSNorm([3, 4], eps=1e-4)
    assert repr(ours) == repr(theirs)
    _close(ours(nt.tensor(X)), theirs(torch.tensor(X)))
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    assert nt.nn.RMSNorm(4, elementwise_affine=False).weight is None
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(nt.tensor(X), (5,))
    with pytest.raises(TypeError) as theirs:
        TF.rms_norm(torch.tensor(X), 4)
    with pytest.raises(TypeError) as ours:
        F.rms_norm(nt.tensor(X), 4)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name,args", [("elu_", (0.5,)), ("selu_", ()), ("celu_", (2.0,)),
                                       ("rrelu_", (0.1, 0.3, False))])
def test_inplace_activation_functions(name, args):
    ours, theirs = nt.tensor(X), torch.tensor(X)
    assert getattr(F, name)(ours, *args) is ours
    getattr(TF, name)(theirs, *args)
    _close(ours, theirs)


def test_gumbel_softmax_soft_and_hard():
    logits = nt.tensor(RNG.standard_normal((5, 4)), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True, dim=0)
    assert set(np.unique(hard.detach().numpy())) <= {0.0, 1.0}
    np.testing.assert_array_equal(hard.detach().numpy().sum(0), 1.0)
    # Straight-through: the hard sample's gradient is the soft sample's, whose softmax Jacobian is known.
    w = RNG.standard_normal((5, 4))
    nt.manual_seed(1)
    y = F.gumbel_softmax(logits, tau=0.5, hard=True)
    nt.manual_seed(1)
    y_soft = F.gumbel_softmax(logits.detach(), tau=0.5).numpy()  # the same noise: the soft sample behind y
    np.testing.assert_array_equal(y.detach().numpy(), y_soft == y_soft.max(-1, keepdims=True))
    (y * nt.tensor(w)).sum().backward()
    expected = y_soft * (w - (w * y_soft).sum(-1, keepdims=True)) / 0.5
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-10)


def test_gumbel_softmax_gradient_is_the_tempered_softmax_jacobian():
    logits = nt.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    nt.manual_seed(0)
    y = F.gumbel_softmax(logits, tau=2.0)
    w = RNG.standard_normal((3, 4))
    (y * nt.tensor(w)).sum().backward()
    p = y.detach().numpy()
    expected = p * (w - (w * p).sum(-1, keepdims=True)) / 2.0
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-10)


def test_channel_shuffle():
    data = RNG.standard_normal((2, 6, 3))
    _compare(lambda x: F.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3), data)
    ours, theirs = nt.nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2)
    assert repr(ours) == repr(theirs)
    _close(ours(nt.tensor(data)), theirs(torch.tensor(data)))
    for shape in ((2, 5, 3), (2, 6)):
        with pytest.raises(RuntimeError):
            TF.channel_shuffle(torch.ones(shape), 2)
        with pytest.raises(RuntimeError):
            F.channel_shuffle(nt.ones(shape), 2)


@pytest.mark.parametrize("name,args", [("adaptive_max_pool1d_with_indices", (2,)),
                                       ("adaptive_max_pool2d_with_indices", ((2, 1),)),
                                       ("adaptive_max_pool3d_with_indices", (1,))])
def test_pooling_with_indices(name, args):
    nd = int(name[len("adaptive_max_pool")])
    data = RNG.standard_normal((2, 3) + (4,) * nd)
    ours = getattr(F, name)(nt.tensor(data), *args)
    theirs = getattr(TF, name)(torch.tensor(data), *args)
    _close(ours[0], theirs[0])
    assert ours[1].tolist() == theirs[1].tolist()


def test_fractional_pool_with_indices():
    data = RNG.standard_normal((1, 2, 8, 8))
    samples = RNG.random((1, 2, 2))
    ours = F.fractional_max_pool2d_with_indices(nt.tensor(data), 2, output_size=4,
                                                _random_samples=nt.tensor(samples))
    theirs = TF.fractional_max_pool2d_with_indices(torch.tensor(data), 2, output_size=4,
                                                   _random_samples=torch.tensor(samples))
    _close(ours[0], theirs[0])
    assert ours[1].tolist() == theirs[1].tolist()


@pytest.mark.parametrize("kwargs", [dict(), dict(margin=0.5, swap=True, reduction="sum"),
                                    dict(distance_function="cosine", reduction="none")])
def test_triplet_margin_with_distance_loss(kwargs):
    a, p, n = (RNG.standard_normal((4, 5)) for _ in range(3))

    def call(module, lib):
        kw = dict(kwargs)
        if kw.get("distance_function") == "cosine":
            kw["distance_function"] = lambda x, y: 1.0 - lib.nn.functional.cosine_similarity(x, y)
        return lambda *t: module(*t, **kw)
    _compare(call(F.triplet_margin_with_distance_loss, nt), call(TF.triplet_margin_with_distance_loss, torch), a, p, n)
    ours = nt.nn.TripletMarginWithDistanceLoss(margin=0.5)
    theirs = torch.nn.TripletMarginWithDistanceLoss(margin=0.5)
    _close(ours(*map(nt.tensor, (a, p, n))), theirs(*map(torch.tensor, (a, p, n))))
    for bad in ("m.nn.TripletMarginWithDistanceLoss(margin=0)",
                "m.nn.functional.triplet_margin_with_distance_loss(m.ones(2, 3), m.ones(2, 3), m.ones(3), margin=1)"):
        with pytest.raises(Exception) as expected:
            eval(bad, {"m": torch})
        with pytest.raises(expected.type):
            eval(bad, {"m": nt})


@pytest.mark.parametrize("size,align", [((2, 3, 4, 5), False), ((2, 3, 4, 5), True), ((1, 2, 3, 4, 2), False)])
def test_affine_grid(size, align):
    nd = len(size) - 2
    theta = RNG.standard_normal((size[0], nd, nd + 1))
    _compare(lambda t: F.affine_grid(t, size, align_corners=align),
             lambda t: TF.affine_grid(t, size, align_corners=align), theta)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_2d(mode, padding_mode, align):
    image = RNG.standard_normal((2, 3, 5, 4))
    grid = RNG.uniform(-1.4, 1.4, (2, 3, 6, 2))  # some points outside [-1, 1] exercise the padding
    _compare(lambda x, g: F.grid_sample(x, g, mode, padding_mode, align),
             lambda x, g: TF.grid_sample(x, g, mode, padding_mode, align), image, grid)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflection"])
def test_grid_sample_3d(padding_mode):
    volume = RNG.standard_normal((1, 2, 3, 4, 5))
    grid = RNG.uniform(-1.3, 1.3, (1, 2, 3, 2, 3))
    _compare(lambda x, g: F.grid_sample(x, g, "bilinear", padding_mode, False),
             lambda x, g: TF.grid_sample(x, g, "bilinear", padding_mode, False), volume, grid)


def test_grid_sample_gradcheck_and_warnings():
    image = nt.tensor(RNG.standard_normal((1, 2, 4, 4)), requires_grad=True)
    grid = nt.tensor(RNG.uniform(-0.9, 0.9, (1, 3, 3, 2)), requires_grad=True)
    assert gradcheck(lambda x, g: F.grid_sample(x, g, align_corners=False), (image, grid))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(image, grid)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(nt.ones(1, 2, 3, dtype=nt.float64), (1, 1, 2, 2))
    with pytest.raises(ValueError, match="expected mode"):
        F.grid_sample(image, grid, mode="cubic", align_corners=False)
    with pytest.raises(ValueError, match="Nx2x3"):
        F.affine_grid(nt.ones(1, 3, 3), (1, 1, 2, 2), align_corners=False)


def test_dropout2d_on_2d_input_warns_and_drops_elements():
    x = nt.ones(2000, 4)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        y = F.dropout2d(x, 0.5)
    kept = y.numpy() != 0
    assert 0.45 < kept.mean() < 0.55 and np.all(y.numpy()[kept] == 2.0)
    assert 0 < kept.sum(1).mean() < 4  # elements, not whole rows, are dropped
    with pytest.warns(UserWarning):
        nt.nn.Dropout2d(0.5)(x)
    with pytest.warns(UserWarning, match="3D input"):
        z = F.dropout2d(nt.ones(400, 3, 5), 0.5)
    # (N, C, L): one draw per (n, c), as PyTorch does for 3-D input
    assert np.all(z.numpy().min(-1) == z.numpy().max(-1))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"), pytest.warns(UserWarning):
        F.dropout2d(nt.ones(3), 0.5)
