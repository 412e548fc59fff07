"""bfloat16 and float16 through the Numba-kernel ops (conv, norms, pooling, activations, resampling, attention,
RNNs), which compute in float32 and round once like PyTorch's CPU kernels for them: forward and backward against
torch's results in the same dtype."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")
pytest.importorskip("ml_dtypes")

RNG = np.random.default_rng(0)
# a few bfloat16 rounding steps (eps 2**-7 relative): float32 arithmetic in another order can round the other way
RTOL = 3e-2


def _values(t):
    return t.detach().float().numpy()


def _close(ours, theirs, rtol=RTOL):
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1] and theirs.dtype in HALF
    expected = _values(theirs)
    np.testing.assert_allclose(_values(ours), expected, rtol=rtol, atol=rtol * max(np.abs(expected).max(), 1e-3))


HALF = (torch.bfloat16, torch.float16)


def _both(x, dtype="bfloat16"):
    """The same half-precision leaf in numbatorch and PyTorch."""
    return (nt.tensor(x).to(getattr(nt, dtype)).requires_grad_(),
            torch.tensor(x).to(getattr(torch, dtype)).requires_grad_())


OPS = {
    "conv2d": lambda F, x: F.conv2d(x, x[:2, :, :3, :3] * 0.5, x[0, :2, 0, 0], padding=1),
    "conv_transpose2d": lambda F, x: F.conv_transpose2d(x, x[0].reshape(3, 2, 4, 8)[..., :2, :2], stride=2),
    "batch_norm": lambda F, x: F.batch_norm(x, None, None, x[0, :, 0, 0], x[1, :, 0, 0], training=True),
    "instance_norm": lambda F, x: F.instance_norm(x),
    "layer_norm": lambda F, x: F.layer_norm(x, (8,), x[0, 0, 0], x[0, 0, 1]),
    "group_norm": lambda F, x: F.group_norm(x, 3, x[0, 0, 0, :3], x[0, 1, 0, :3]),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "elu": lambda F, x: F.elu(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "erf": lambda F, x: x.erf(),
    "max_pool2d": lambda F, x: F.max_pool2d(x, 2),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 3, 2, 1),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, 3),
    "adaptive_max_pool2d": lambda F, x: F.adaptive_max_pool2d(x, 3),
    "interpolate_bilinear": lambda F, x: F.interpolate(x, scale_factor=2, mode="bilinear"),
    "scaled_dot_product_attention": lambda F, x: F.scaled_dot_product_attention(x, x * 0.5, x, x[0, 0, :, :8]),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_op_forward_and_backward_like_torch(name, dtype):
    x = RNG.standard_normal((2, 3, 8, 8)).astype(np.float32)
    ours, theirs = _both(x, dtype)
    out, expected = OPS[name](nt.nn.functional, ours), OPS[name](torch.nn.functional, theirs)
    _close(out, expected)
    seed = RNG.standard_normal(tuple(expected.shape)).astype(np.float32)
    out.backward(nt.tensor(seed).to(out.dtype))
    expected.backward(torch.tensor(seed).to(expected.dtype))
    _close(ours.grad, theirs.grad)


def test_inplace_activation_writes_the_bfloat16_input():
    x = RNG.standard_normal(50).astype(np.float32)
    ours, theirs = nt.tensor(x).bfloat16(), torch.tensor(x).bfloat16()
    assert nt.nn.functional.silu(ours, inplace=True) is ours
    torch.nn.functional.silu(theirs, inplace=True)
    _close(ours, theirs, rtol=1e-2)


def test_lstm_like_torch():
    theirs = torch.nn.LSTM(8, 3, num_layers=2)
    ours = nt.nn.LSTM(8, 3, num_layers=2)
    ours.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    ours, theirs = ours.bfloat16(), theirs.bfloat16()
    x, x_torch = _both(RNG.standard_normal((5, 2, 8)).astype(np.float32))
    (out, (h, c)), (expected, (h_t, c_t)) = ours(x), theirs(x_torch)
    for a, b in ((out, expected), (h, h_t), (c, c_t)):
        _close(a, b)
    out.float().sum().backward()
    expected.float().sum().backward()
    _close(x.grad, x_torch.grad)


def _cnn(lib, dtype):
    # no conv bias: batch norm removes it, so its gradient is zero plus rounding noise
    nn, nn_seed = lib.nn, np.random.default_rng(1)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 5))
    for p in model.parameters():
        p.data.copy_(lib.tensor(nn_seed.standard_normal(tuple(p.shape)).astype(np.float32)) * 0.3)
    return model.to(getattr(lib, dtype))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_small_cnn_forward_backward_and_running_stats_like_torch(dtype):
    ours, theirs = _cnn(nt, dtype), _cnn(torch, dtype)
    x = RNG.standard_normal((3, 3, 8, 8)).astype(np.float32)
    out = ours(nt.tensor(x).to(ours[0].weight.dtype))
    expected = theirs(torch.tensor(x).to(theirs[0].weight.dtype))
    _close(out, expected)
    out.float().square().sum().backward()
    expected.float().square().sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.dtype == p.dtype, name
        _close(p.grad, q.grad, rtol=5e-2)
    for name in ("running_mean", "running_var"):
        _close(getattr(ours[1], name), getattr(theirs[1], name))


@pytest.mark.parametrize("weight_dtype, bias_dtype", [("float32", None), ("bfloat16", "float32")])
def test_conv_of_bfloat16_with_float32_parameters_raises_like_torch(weight_dtype, bias_dtype):
    x = RNG.standard_normal((1, 3, 8)).astype(np.float32)
    for lib in (torch, nt):
        weight = lib.ones(2, 3, 3, dtype=getattr(lib, weight_dtype))
        bias = None if bias_dtype is None else lib.ones(2, dtype=getattr(lib, bias_dtype))
        with pytest.raises(RuntimeError):
            lib.nn.functional.conv1d(lib.tensor(x).bfloat16(), weight, bias)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_avg_pool3d_refuses_half_precision_like_torch(dtype):
    x = RNG.standard_normal((1, 1, 4, 4, 4)).astype(np.float32)
    with pytest.raises(NotImplementedError) as expected:
        torch.nn.functional.avg_pool3d(torch.tensor(x).to(getattr(torch, dtype)), 2)
    with pytest.raises(NotImplementedError) as ours:
        nt.nn.functional.avg_pool3d(nt.tensor(x).to(getattr(nt, dtype)), 2)
    assert str(ours.value) == str(expected.value)
