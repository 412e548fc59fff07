"""PyTorch's dtype rules for layers (issue 17 item 3): a float32 layer given float64 input, a float64 layer given
float32 input, and integer input give what PyTorch gives on the same arrays with the same weights: the same error
type (and message, where PyTorch's names the dtypes), or an output of the same dtype and values."""
import numpy as np
import pytest

import numbatorch as nt

from ..helpers import dtype_name

# (layer, constructor args, constructor kwargs, input shape)
LAYERS = [
    ("BatchNorm1d", (3,), {}, (4, 3)),
    ("BatchNorm2d", (3,), {}, (2, 3, 2, 2)),
    ("InstanceNorm1d", (3,), {"affine": True}, (2, 3, 4)),
    ("LayerNorm", (3,), {}, (2, 3)),
    ("GroupNorm", (1, 3), {}, (2, 3, 2)),
    ("LSTM", (3, 4), {}, (2, 1, 3)),
    ("GRU", (3, 4), {}, (2, 1, 3)),
    ("RNN", (3, 4), {}, (2, 1, 3)),
    ("LSTMCell", (3, 4), {}, (2, 3)),
    ("GRUCell", (3, 4), {}, (2, 3)),
    ("RNNCell", (3, 4), {}, (2, 3)),
    ("PReLU", (), {}, (2, 3)),
    ("Linear", (3, 2), {}, (2, 3)),
    ("Bilinear", (3, 3, 2), {}, (2, 3)),
    ("Conv2d", (3, 2, 1), {}, (1, 3, 2, 2)),
    ("ConvTranspose2d", (3, 2, 1), {}, (1, 3, 2, 2)),
    ("MaxPool2d", (2,), {}, (1, 2, 4, 4)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "return_indices": True}, (2, 2, 5, 6)),
    ("MaxPool3d", (2,), {}, (1, 1, 2, 4, 4)),
    ("MaxPool1d", (2,), {}, (1, 2, 4)),
    ("AvgPool1d", (2,), {}, (1, 2, 4)),
    ("AdaptiveAvgPool2d", (2,), {}, (1, 2, 5, 4)),
    ("AdaptiveMaxPool2d", (2,), {}, (1, 2, 5, 4)),
    ("AdaptiveMaxPool3d", (1,), {}, (1, 1, 2, 3, 3)),
    ("LPPool2d", (2, 2), {}, (1, 2, 4, 4)),
    ("LocalResponseNorm", (2,), {}, (1, 3, 4)),
    ("RMSNorm", (3,), {}, (2, 3)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 2, 5, 6)),
    ("AvgPool3d", (2,), {"divisor_override": 3}, (1, 1, 2, 4, 4)),
    ("ReLU", (), {}, (2, 3)),
    ("Dropout", (0.0,), {}, (2, 3)),
    ("Dropout", (1.0,), {}, (2, 3)),
    ("Dropout2d", (1.0,), {}, (2, 3, 2, 2)),
    ("AlphaDropout", (1.0,), {}, (2, 3)),
    ("FeatureAlphaDropout", (1.0,), {}, (2, 3, 2)),
    ("Softmax", (1,), {}, (2, 3)),
    ("Flatten", (), {}, (2, 3)),
    ("ZeroPad2d", (1,), {}, (1, 1, 2, 2)),
    ("ReflectionPad2d", (1,), {}, (1, 1, 2, 2)),
    ("PixelShuffle", (2,), {}, (1, 4, 2, 2)),
    ("Unfold", (2,), {}, (1, 2, 3, 3)),
    ("Fold", ((3, 3), 2), {}, (1, 4, 4)),
]
# layers whose errors name the dtypes: the message must be PyTorch's too
SAME_MESSAGE = {"BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "LayerNorm", "GroupNorm", "LSTM", "GRU", "RNN",
                "LSTMCell", "GRUCell", "RNNCell", "PReLU", "Dropout"}
CASES = [("float32", "float64"), ("float64", "float32"), ("float32", "int64")]


def _outcome(lib, name, args, kwargs, state, x):
    """(error type, first message line) or ('ok', dtype, values) of the layer on x."""
    module = getattr(lib.nn, name)(*args, **kwargs)
    module.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    try:
        out = module(lib.tensor(x))
    except Exception as exc:  # compared with PyTorch's
        return type(exc).__name__, str(exc).splitlines()[0].replace("numbatorch.", "torch.")
    out = out[0] if isinstance(out, tuple) else out
    return "ok", dtype_name(out.dtype), out.detach().numpy()


@pytest.mark.parametrize("case", CASES, ids=["/".join(c) for c in CASES])
@pytest.mark.parametrize("spec", LAYERS, ids=[f"{s[0]}{s[2] or ''}".replace(" ", "") for s in LAYERS])
def test_layer_dtype_rules_like_pytorch(spec, case):
    torch = pytest.importorskip("torch")
    name, args, kwargs, shape = spec
    module_dtype, input_dtype = case
    state = {k: v.numpy().astype(module_dtype) if v.dtype.is_floating_point else v.numpy()
             for k, v in getattr(nt.nn, name)(*args, **kwargs).state_dict().items()}
    rng = np.random.default_rng(0)
    x = (rng.integers(-5, 6, shape) if input_dtype == "int64" else rng.standard_normal(shape)).astype(input_dtype)
    ours = _outcome(nt, name, args, kwargs, state, x)
    theirs = _outcome(torch, name, args, kwargs, state, x)
    if theirs[0] != "ok":
        assert ours[0] == theirs[0], (ours, theirs)
        if name in SAME_MESSAGE:
            assert ours[1] == theirs[1]
        return
    assert ours[:2] == theirs[:2], (ours, theirs)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", ["dropout", "dropout2d", "alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_dropout_of_integers_raises_like_pytorch(fn, dtype):
    torch = pytest.importorskip("torch")
    x = np.ones((2, 3, 2, 2), dtype=dtype)

    def error(lib):
        with pytest.raises(RuntimeError) as info:
            getattr(lib.nn.functional, fn)(lib.tensor(x), 0.5, True)
        return str(info.value)
    assert error(nt) == error(torch)


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_class_target_dtypes_like_pytorch(loss, dtype):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    t = np.array([0, 2, 1, 2]).astype(dtype)

    def outcome(lib):
        try:
            return "ok", float(getattr(lib.nn.functional, loss)(lib.tensor(x), lib.tensor(t)))
        except Exception as exc:  # compared with PyTorch's
            return type(exc).__name__, str(exc)
    ours, theirs = outcome(nt), outcome(torch)
    assert ours[0] == theirs[0]
    if ours[0] == "ok":
        assert ours[1] == pytest.approx(theirs[1], rel=1e-6)
    else:
        assert ours[1] == theirs[1]


@pytest.mark.parametrize("fn", ["randn", "rand", "normal_like"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_random_floats_refuse_integer_dtypes_like_pytorch(fn, dtype):
    torch = pytest.importorskip("torch")

    def outcome(lib):
        try:
            if fn == "normal_like":
                lib.randn_like(lib.zeros(3), dtype=getattr(lib, dtype))
            else:
                getattr(lib, fn)(3, dtype=getattr(lib, dtype))
        except Exception as exc:  # compared with PyTorch's
            return type(exc).__name__, str(exc)
        return "ok"
    assert outcome(nt) == outcome(torch)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_pooling_matches_pytorch(dtype):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).integers(0 if dtype == "uint8" else -100, 100, (2, 3, 7, 6)).astype(dtype)
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                   {"kernel_size": 2, "dilation": 2, "ceil_mode": True}):
        out, idx = nt.nn.functional.max_pool2d(nt.tensor(x), return_indices=True, **kwargs)
        t_out, t_idx = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
        assert dtype_name(out.dtype) == dtype_name(t_out.dtype)
        np.testing.assert_array_equal(out.numpy(), t_out.numpy())
        np.testing.assert_array_equal(idx.numpy(), t_idx.numpy())
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                   {"kernel_size": 3, "padding": 1, "count_include_pad": False},
                   {"kernel_size": 2, "divisor_override": 3}):
        if dtype != "int64":     # PyTorch averages int64 only
            with pytest.raises(NotImplementedError, match=f"not implemented for '{_SCALAR[dtype]}'"):
                nt.nn.functional.avg_pool2d(nt.tensor(x), **kwargs)
            with pytest.raises(NotImplementedError, match=f"not implemented for '{_SCALAR[dtype]}'"):
                torch.nn.functional.avg_pool2d(torch.tensor(x), **kwargs)
            continue
        out = nt.nn.functional.avg_pool2d(nt.tensor(x), **kwargs)
        t_out = torch.nn.functional.avg_pool2d(torch.tensor(x), **kwargs)
        assert dtype_name(out.dtype) == dtype_name(t_out.dtype)
        np.testing.assert_array_equal(out.numpy(), t_out.numpy())


_SCALAR = {"int32": "Int", "uint8": "Byte"}


def test_int64_max_pool_is_exact_beyond_float_precision():
    torch = pytest.importorskip("torch")
    x = 2 ** 62 + np.random.default_rng(2).integers(0, 1000, (1, 2, 5, 5))
    for kwargs in ({"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 2}):
        np.testing.assert_array_equal(nt.nn.functional.max_pool2d(nt.tensor(x), **kwargs).numpy(),
                                      torch.nn.functional.max_pool2d(torch.tensor(x), **kwargs).numpy())
