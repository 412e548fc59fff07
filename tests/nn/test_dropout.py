"""Dropout's keep-mask (raw 32-bit draws) against PyTorch: kept values, keep rate, p = 0 and 1, eval, inplace."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import nn
from tests.helpers import dtype_name

torch = pytest.importorskip("torch")

N = 40000


def _kept_values(lib, dtype, p):
    """The distinct nonzero outputs of dropout of ones, as float64."""
    lib.manual_seed(0)
    out = lib.nn.functional.dropout(lib.ones(N, dtype=getattr(lib, dtype)), p)
    assert dtype_name(out.dtype) == dtype
    values = out.double().numpy()
    return np.unique(values[values != 0]).tolist()


def _within_binomial_bounds(kept, n, p_keep):
    """The kept count is within 5 standard deviations of the mean of a binomial(n, p_keep) draw."""
    return abs(kept - n * p_keep) <= 5 * np.sqrt(n * p_keep * (1 - p_keep)) + 1


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("p", [0.3, 0.7, 0.999])
def test_kept_values_are_pytorchs_scale(dtype, p):
    assert _kept_values(nt, dtype, p) == _kept_values(torch, dtype, p)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keep_rate_is_one_minus_p(p):
    F = nt.nn.functional
    assert _within_binomial_bounds(int((F.dropout(nt.ones(N), p).numpy() != 0).sum()), N, 1 - p)
    channels = F.dropout2d(nt.ones(200, 100, 3, 3), p).numpy().reshape(200 * 100, 9)
    assert ((channels == 0).all(1) | (channels != 0).all(1)).all()
    assert _within_binomial_bounds(int((channels[:, 0] != 0).sum()), 200 * 100, 1 - p)
    dropped = F.alpha_dropout(nt.ones(N), p, training=True).numpy()
    assert _within_binomial_bounds(int((dropped != dropped.min()).sum()), N, 1 - p)


def test_same_seed_same_mask():
    masks = []
    for _ in range(2):
        nt.manual_seed(3)
        masks.append(nt.nn.functional.dropout(nt.ones(1001), 0.4).numpy())
    np.testing.assert_array_equal(*masks)


@pytest.mark.parametrize("fn", ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                "feature_alpha_dropout"])
def test_p_zero_returns_the_input_and_p_one_zeroes_it(fn):
    for lib in (nt, torch):
        x = lib.ones(*{"dropout2d": (2, 3, 4, 4), "dropout3d": (2, 3, 4, 4, 4)}.get(fn, (2, 3, 4)))
        drop = getattr(lib.nn.functional, fn)
        assert drop(x, 0.0, training=True) is x
        assert (drop(x, 1.0, training=True) == 0).all()
        assert drop(x, 0.5, training=False) is x


@pytest.mark.parametrize("p", [1 - 1e-12, 1e-12])
def test_p_within_a_draw_of_zero_or_one(p):
    nt.manual_seed(0)
    torch.manual_seed(0)
    out = nt.nn.functional.dropout(nt.ones(N), p).numpy()
    expected = torch.nn.functional.dropout(torch.ones(N), p).numpy()
    np.testing.assert_array_equal(out, expected)


def test_integer_input_with_p_one_is_zeroed_like_pytorch():
    out = nt.nn.functional.dropout(nt.arange(5), 1.0)
    expected = torch.nn.functional.dropout(torch.arange(5), 1.0)
    assert dtype_name(out.dtype) == dtype_name(expected.dtype)
    assert out.tolist() == expected.tolist()


def test_inplace_writes_the_masked_input():
    values = []
    for lib in (nt, torch):
        x = lib.full((N,), 3.0)
        out = lib.nn.functional.dropout(x, 0.25, inplace=True)
        assert out is x
        values.append(np.unique(x.numpy()).tolist())
    assert values[0] == values[1] and len(values[0]) == 2


def test_module_eval_passes_the_input_through():
    layer = nn.Dropout(0.5)
    x = nt.ones(8, 8)
    assert not (layer(x) == x).all()
    layer.eval()
    assert layer(x) is x


def test_attention_dropout_with_p_within_a_draw_of_one_drops_everything():
    q = np.random.default_rng(0).standard_normal((1, 2, 3, 4)).astype(np.float32)
    out = nt.nn.functional.scaled_dot_product_attention(*[nt.tensor(q)] * 3, dropout_p=1 - 1e-12)
    expected = torch.nn.functional.scaled_dot_product_attention(*[torch.tensor(q)] * 3, dropout_p=1 - 1e-12)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("p", [0.2, 0.9])
def test_alpha_dropout_bits_and_dtype_are_pytorchs(fn, dtype, p):
    """On positive inputs the dropped units' common value (negative) is the minimum; where both frameworks kept a
    unit the bits agree, and so do the gradient's values (``a`` where kept, 0 where dropped)."""
    x = np.abs(np.random.default_rng(0).standard_normal((40, 30, 5))).astype(np.float32)
    outs, grads = [], []
    for lib in (nt, torch):
        lib.manual_seed(0)
        xt = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        out = getattr(lib.nn.functional, fn)(xt, p, training=True)
        out.sum().backward()
        assert dtype_name(out.dtype) == dtype and dtype_name(xt.grad.dtype) == dtype
        outs.append(out.detach().double().numpy())
        grads.append(np.unique(xt.grad.double().numpy()).tolist())
    ours, theirs = outs
    assert ours.min() == theirs.min()
    both_kept = (ours != ours.min()) & (theirs != theirs.min())
    assert both_kept.any()
    np.testing.assert_array_equal(ours[both_kept], theirs[both_kept])
    assert grads[0] == grads[1]


def _outcome(fn, lib, shape, p, training):
    try:
        out = fn(lib.ones(shape), p, training)
    except Exception as error:  # compared by type and message
        return type(error).__name__, str(error)
    return tuple(out.shape), dtype_name(out.dtype)


@pytest.mark.filterwarnings("ignore:dropout")
@pytest.mark.parametrize("name", ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout", "torch.feature_dropout", "torch.feature_alpha_dropout"])
def test_shape_checks_and_their_order_are_pytorchs(name):
    """Which ranks each form takes or rejects (with which message), in training and eval, for p = 0, 0.5, 1."""
    for shape in ((), (5,), (2, 3), (2, 3, 4), (2, 3, 4, 5), (2, 3, 4, 5, 6), (0, 3)):
        for training in (True, False):
            for p in (0.0, 0.5, 1.0):
                outcomes = [_outcome(getattr(lib, name[6:]) if name.startswith("torch.") else
                                     getattr(lib.nn.functional, name), lib, shape, p, training) for lib in (nt, torch)]
                assert outcomes[0] == outcomes[1], (shape, training, p)


@pytest.mark.parametrize("fn, shape", [("dropout1d", (60, 7)), ("dropout3d", (60, 2, 3, 4))])
def test_unbatched_channel_dropout_draws_per_channel(fn, shape):
    out = getattr(nt.nn.functional, fn)(nt.ones(shape), 0.5).numpy().reshape(shape[0], -1)
    assert ((out == 0).all(1) | (out == 2).all(1)).all() and 0 < (out == 0).all(1).mean() < 1


@pytest.mark.filterwarnings("ignore:dropout2d")
@pytest.mark.parametrize("inplace", [False, True])
def test_grad_fn_names_are_pytorchs(inplace):
    names = []
    for lib in (nt, torch):
        x = lib.ones(2, 3, 4, requires_grad=True)
        F = lib.nn.functional
        outs = [fn(x * 1, 0.5, True, inplace) for fn in (F.dropout, F.dropout1d, F.dropout2d, F.alpha_dropout,
                                                         F.feature_alpha_dropout)]
        names.append([out.grad_fn.name() for out in outs])
    assert names[0] == names[1]
