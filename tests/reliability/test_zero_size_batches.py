"""Batches of 0 samples (issue 17 item 2): every layer and functional gives what PyTorch gives on the same empty
input (output shapes, dtypes and values, gradients of inputs and parameters, running statistics), or raises the
same error type where PyTorch refuses."""
import numpy as np
import pytest

import numbatorch as nt

from ..helpers import dtype_name


def _arrays(specs, seed=0):
    """Arrays from ('f', shape) float64 normal, ('p', shape) float64 in (0, 1), ('i', shape, high) int64 specs."""
    rng = np.random.default_rng(seed)
    out = []
    for kind, shape, *rest in specs:
        if kind == "f":
            out.append(rng.standard_normal(shape))
        elif kind == "p":
            out.append(rng.uniform(0.1, 0.9, shape))
        else:
            out.append(rng.integers(0, rest[0], shape))
    return out


def _tensors(lib):
    """Every tensor in a (nested) result, in order."""
    def walk(res):
        if isinstance(res, lib.Tensor):
            yield res
        elif isinstance(res, (tuple, list)):
            for r in res:
                yield from walk(r)
    return walk


def _run(lib, fn, arrays, n_grad):
    """Leaves (the float ones among the first ``n_grad`` require grad), the tensors ``fn`` returns and the error
    it raised (else None)."""
    xs = [lib.tensor(a, requires_grad=a.dtype.kind == "f" and i < n_grad) for i, a in enumerate(arrays)]
    try:
        outs = list(_tensors(lib)(fn(lib, *xs)))
    except Exception as exc:  # compared by type with PyTorch's
        return xs, None, exc
    return xs, outs, None


def _backward(lib, outs):
    """Backpropagate the sum of the float outputs weighted by position-dependent seeds (empty ones give 0)."""
    grads = [o for o in outs if o.requires_grad]
    if not grads:
        return
    total = sum((o * lib.arange(o.numel(), dtype=o.dtype).reshape(o.shape)).sum() for o in grads)
    total.backward()


def _compare(nb_fn, th_fn, arrays, nb_params=(), th_params=(), n_grad=None):
    """Run both frameworks on the same arrays: same error type, or same outputs and gradients."""
    torch = pytest.importorskip("torch")
    n_grad = len(arrays) if n_grad is None else n_grad
    xs, outs, err = _run(nt, nb_fn, arrays, n_grad)
    txs, touts, terr = _run(torch, th_fn, arrays, n_grad)
    if terr is not None:
        assert err is not None, f"PyTorch raises {type(terr).__name__}: {terr}"
        assert type(err).__name__ == type(terr).__name__, (err, terr)
        return
    assert err is None, f"PyTorch returns, numbatorch raises {type(err).__name__}: {err}"
    assert len(outs) == len(touts)
    for o, to in zip(outs, touts):
        assert (tuple(o.shape), dtype_name(o.dtype)) == (tuple(to.shape), dtype_name(to.dtype))
        np.testing.assert_allclose(o.detach().numpy(), to.detach().numpy(), rtol=1e-7, atol=1e-9, equal_nan=True)
    assert [o.requires_grad for o in outs] == [o.requires_grad for o in touts]
    _backward(nt, outs)
    _backward(torch, touts)
    for a, b in zip(list(xs) + list(nb_params), list(txs) + list(th_params)):
        if b.requires_grad:
            if b.grad is None:
                assert a.grad is None or not a.grad.numpy().any()
            else:
                assert a.grad is not None and a.grad.shape == b.grad.shape
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-7, atol=1e-9, equal_nan=True)


def _pair(name, args, kwargs, train):
    """The same float64 layer in both frameworks, numbatorch's weights and buffers copied into PyTorch's."""
    torch = pytest.importorskip("torch")
    nb_mod = getattr(nt.nn, name)(*args, **kwargs).double()
    th_mod = getattr(torch.nn, name)(*args, **kwargs).double()
    th_mod.load_state_dict({k: torch.tensor(v.numpy()) for k, v in nb_mod.state_dict().items()})
    return nb_mod.train(train), th_mod.train(train)


F, P = "f", "p"

# (layer, constructor args, constructor kwargs, inputs with an empty batch)
LAYERS = [
    *[(name, (), {}, [(F, (0, 3))]) for name in (
        "ReLU", "ReLU6", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Tanhshrink", "Softplus",
        "Softsign", "Softshrink", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid",
        "Identity", "PReLU", "RReLU", "Dropout", "AlphaDropout", "Flatten")],
    ("Threshold", (0.1, 20.0), {}, [(F, (0, 3))]),
    ("GLU", (), {}, [(F, (0, 4))]),
    ("Softmax", (1,), {}, [(F, (0, 3))]),
    ("LogSoftmax", (1,), {}, [(F, (0, 3))]),
    ("Softmin", (1,), {}, [(F, (0, 3))]),
    ("Softmax2d", (), {}, [(F, (0, 3, 2, 2))]),
    ("PReLU", (3,), {}, [(F, (0, 3, 2))]),
    ("Linear", (3, 2), {}, [(F, (0, 3))]),
    ("Bilinear", (3, 4, 2), {}, [(F, (0, 3)), (F, (0, 4))]),
    ("Conv1d", (3, 2, 3), {}, [(F, (0, 3, 5))]),
    ("Conv2d", (3, 2, 3), {"padding": 1}, [(F, (0, 3, 5, 5))]),
    ("Conv2d", (4, 4, 3), {"groups": 2, "stride": 2}, [(F, (0, 4, 5, 5))]),
    ("Conv3d", (2, 2, 2), {}, [(F, (0, 2, 3, 3, 3))]),
    ("ConvTranspose1d", (3, 2, 3), {}, [(F, (0, 3, 4))]),
    ("ConvTranspose2d", (3, 2, 3), {"stride": 2, "output_padding": 1}, [(F, (0, 3, 4, 4))]),
    ("ConvTranspose3d", (2, 2, 2), {}, [(F, (0, 2, 2, 2, 2))]),
    ("MaxPool1d", (2,), {}, [(F, (0, 3, 4))]),
    ("MaxPool2d", (2,), {}, [(F, (0, 3, 4, 4))]),
    ("MaxPool2d", (2,), {"return_indices": True}, [(F, (0, 3, 4, 4))]),
    ("MaxPool3d", (2,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("AvgPool1d", (2,), {}, [(F, (0, 3, 4))]),
    ("AvgPool2d", (2,), {}, [(F, (0, 3, 4, 4))]),
    ("AvgPool3d", (2,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("AdaptiveAvgPool1d", (2,), {}, [(F, (0, 3, 4))]),
    ("AdaptiveAvgPool2d", (2,), {}, [(F, (0, 3, 4, 4))]),
    ("AdaptiveAvgPool3d", (1,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("AdaptiveMaxPool1d", (2,), {}, [(F, (0, 3, 4))]),
    ("AdaptiveMaxPool2d", (2,), {}, [(F, (0, 3, 4, 4))]),
    ("AdaptiveMaxPool3d", (1,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("LPPool1d", (2, 2), {}, [(F, (0, 3, 4))]),
    ("LPPool2d", (2, 2), {}, [(F, (0, 3, 4, 4))]),
    ("FractionalMaxPool2d", (2,), {"output_size": 2}, [(F, (0, 3, 4, 4))]),
    ("MaxUnpool1d", (2,), {}, [(F, (0, 3, 2)), ("i", (0, 3, 2), 4)]),
    ("MaxUnpool2d", (2,), {}, [(F, (0, 3, 2, 2)), ("i", (0, 3, 2, 2), 16)]),
    ("BatchNorm1d", (3,), {}, [(F, (0, 3))]),
    ("BatchNorm1d", (3,), {}, [(F, (0, 3, 4))]),
    ("BatchNorm2d", (3,), {}, [(F, (0, 3, 2, 2))]),
    ("BatchNorm3d", (2,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("BatchNorm2d", (3,), {"affine": False, "track_running_stats": False}, [(F, (0, 3, 2, 2))]),
    ("InstanceNorm1d", (3,), {}, [(F, (0, 3, 4))]),
    ("InstanceNorm2d", (3,), {"affine": True}, [(F, (0, 3, 2, 2))]),
    ("InstanceNorm3d", (2,), {}, [(F, (0, 2, 2, 2, 2))]),
    ("GroupNorm", (2, 4), {}, [(F, (0, 4, 3))]),
    ("LayerNorm", (3,), {}, [(F, (0, 3))]),
    ("RMSNorm", (3,), {}, [(F, (0, 3))]),
    ("LocalResponseNorm", (2,), {}, [(F, (0, 3, 4))]),
    ("Dropout1d", (), {}, [(F, (0, 3, 4))]),
    ("Dropout2d", (), {}, [(F, (0, 3, 2, 2))]),
    ("Dropout3d", (), {}, [(F, (0, 2, 2, 2, 2))]),
    ("FeatureAlphaDropout", (), {}, [(F, (0, 3, 2, 2))]),
    ("Flatten", (), {}, [(F, (0, 3, 2))]),
    ("Unflatten", (1, (3, 2)), {}, [(F, (0, 6))]),
    ("ChannelShuffle", (2,), {}, [(F, (0, 4, 2, 2))]),
    ("Upsample", (), {"scale_factor": 2}, [(F, (0, 3, 2, 2))]),
    ("Upsample", (), {"scale_factor": 2, "mode": "bilinear"}, [(F, (0, 3, 2, 2))]),
    ("Upsample", (), {"size": 4, "mode": "linear"}, [(F, (0, 3, 2))]),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, [(F, (0, 3, 2, 2))]),
    ("UpsamplingBilinear2d", (), {"scale_factor": 2}, [(F, (0, 3, 2, 2))]),
    ("Fold", ((3, 3), 2), {}, [(F, (0, 4, 4))]),
    ("Unfold", (2,), {}, [(F, (0, 1, 3, 3))]),
    ("ZeroPad1d", (1,), {}, [(F, (0, 3, 4))]),
    ("ZeroPad2d", (1,), {}, [(F, (0, 3, 4, 4))]),
    ("ConstantPad1d", (1, 0.5), {}, [(F, (0, 3, 4))]),
    ("ConstantPad3d", (1, 0.5), {}, [(F, (0, 2, 2, 2, 2))]),
    ("ReflectionPad1d", (1,), {}, [(F, (0, 3, 4))]),
    ("ReflectionPad2d", (1,), {}, [(F, (0, 3, 4, 4))]),
    ("ReplicationPad1d", (1,), {}, [(F, (0, 3, 4))]),
    ("ReplicationPad2d", (1,), {}, [(F, (0, 3, 4, 4))]),
    ("CircularPad1d", (1,), {}, [(F, (0, 3, 4))]),
    ("CircularPad2d", (1,), {}, [(F, (0, 3, 4, 4))]),
    ("Embedding", (10, 3), {}, [("i", (0, 4), 10)]),
    ("EmbeddingBag", (10, 3), {}, [("i", (0, 4), 10)]),
    ("RNN", (3, 4), {"batch_first": True}, [(F, (0, 5, 3))]),
    ("RNN", (3, 4), {"num_layers": 2, "bidirectional": True}, [(F, (5, 0, 3))]),
    ("LSTM", (3, 4), {"batch_first": True}, [(F, (0, 5, 3))]),
    ("LSTM", (3, 4), {"proj_size": 2}, [(F, (5, 0, 3))]),
    ("GRU", (3, 4), {"batch_first": True}, [(F, (0, 5, 3))]),
    ("GRU", (3, 4), {"bidirectional": True}, [(F, (5, 0, 3))]),
    ("RNNCell", (3, 4), {}, [(F, (0, 3))]),
    ("LSTMCell", (3, 4), {}, [(F, (0, 3))]),
    ("GRUCell", (3, 4), {}, [(F, (0, 3))]),
    ("MultiheadAttention", (4, 2), {"batch_first": True}, [(F, (0, 3, 4))] * 3),
    ("MultiheadAttention", (4, 2), {}, [(F, (3, 0, 4))] * 3),
    ("TransformerEncoderLayer", (4, 2, 8, 0.0), {"batch_first": True}, [(F, (0, 3, 4))]),
    ("TransformerDecoderLayer", (4, 2, 8, 0.0), {"batch_first": True}, [(F, (0, 3, 4)), (F, (0, 2, 4))]),
    ("CosineSimilarity", (), {}, [(F, (0, 3)), (F, (0, 3))]),
    ("PairwiseDistance", (), {}, [(F, (0, 3)), (F, (0, 3))]),
    ("AdaptiveLogSoftmaxWithLoss", (4, 6, [2]), {}, [(F, (0, 4)), ("i", (0,), 6)]),
]

LOSSES = [
    ("L1Loss", [(F, (0, 3)), (F, (0, 3))]),
    ("MSELoss", [(F, (0, 3)), (F, (0, 3))]),
    ("SmoothL1Loss", [(F, (0, 3)), (F, (0, 3))]),
    ("HuberLoss", [(F, (0, 3)), (F, (0, 3))]),
    ("SoftMarginLoss", [(F, (0, 3)), (F, (0, 3))]),
    ("BCELoss", [(P, (0, 3)), (P, (0, 3))]),
    ("BCEWithLogitsLoss", [(F, (0, 3)), (P, (0, 3))]),
    ("KLDivLoss", [(F, (0, 3)), (P, (0, 3))]),
    ("PoissonNLLLoss", [(F, (0, 3)), (P, (0, 3))]),
    ("GaussianNLLLoss", [(F, (0, 3)), (F, (0, 3)), (P, (0, 3))]),
    ("CrossEntropyLoss", [(F, (0, 3)), ("i", (0,), 3)]),
    ("CrossEntropyLoss", [(F, (0, 3, 2)), ("i", (0, 2), 3)]),
    ("CrossEntropyLoss", [(F, (0, 3)), (P, (0, 3))]),
    ("NLLLoss", [(F, (0, 3)), ("i", (0,), 3)]),
    ("MultiMarginLoss", [(F, (0, 3)), ("i", (0,), 3)]),
    ("MultiLabelMarginLoss", [(F, (0, 3)), ("i", (0, 3), 3)]),
    ("MultiLabelSoftMarginLoss", [(F, (0, 3)), (P, (0, 3))]),
    ("HingeEmbeddingLoss", [(F, (0, 3)), (F, (0, 3))]),
    ("CosineEmbeddingLoss", [(F, (0, 3)), (F, (0, 3)), (F, (0,))]),
    ("MarginRankingLoss", [(F, (0,)), (F, (0,)), (F, (0,))]),
    ("TripletMarginLoss", [(F, (0, 3)), (F, (0, 3)), (F, (0, 3))]),
    ("TripletMarginWithDistanceLoss", [(F, (0, 3)), (F, (0, 3)), (F, (0, 3))]),
]


def _id(spec):
    name, args, kwargs, inputs = spec
    return f"{name}{args}{kwargs or ''}{[s[1] for s in inputs]}".replace(" ", "")


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("spec", LAYERS, ids=[_id(s) for s in LAYERS])
def test_layer_on_empty_batch_like_pytorch(spec, train):
    name, args, kwargs, inputs = spec
    nb_mod, th_mod = _pair(name, args, kwargs, train)
    _compare(lambda lib, *xs: (nb_mod if lib is nt else th_mod)(*xs),
             lambda lib, *xs: th_mod(*xs), _arrays(inputs), nb_mod.parameters(), th_mod.parameters())
    th_buffers = dict(th_mod.named_buffers())
    for key, buf in nb_mod.named_buffers():
        np.testing.assert_allclose(buf.numpy(), th_buffers[key].numpy(), err_msg=key)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("spec", LOSSES, ids=[f"{n}{[s[1] for s in i]}".replace(" ", "") for n, i in LOSSES])
def test_loss_on_empty_batch_like_pytorch(spec, reduction):
    name, inputs = spec
    if name in ("MultiMarginLoss", "MultiLabelMarginLoss") and reduction == "mean":
        pytest.skip("PyTorch 2.13 returns uninitialised memory for this mean over 0 samples")
    nb_mod, th_mod = _pair(name, (), {"reduction": reduction}, True)
    # targets are not differentiable in every loss: only the input requires grad
    _compare(lambda lib, *xs: nb_mod(*xs), lambda lib, *xs: th_mod(*xs), _arrays(inputs), n_grad=1)


# functionals not reached through a layer above: (name, fn(lib, *tensors), inputs with an empty batch)
FUNCTIONALS = [
    ("normalize", lambda lib, x: lib.nn.functional.normalize(x), [(F, (0, 3))]),
    ("one_hot", lambda lib, t: lib.nn.functional.one_hot(t, 3), [("i", (0,), 3)]),
    ("one_hot_inferred", lambda lib, t: lib.nn.functional.one_hot(t), [("i", (0,), 3)]),
    ("sdpa", lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
     [(F, (0, 2, 3, 4)), (F, (0, 2, 5, 4)), (F, (0, 2, 5, 4))]),
    ("sdpa_causal", lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
     [(F, (0, 3, 4)), (F, (0, 3, 4)), (F, (0, 3, 4))]),
    ("affine_grid", lambda lib, t: lib.nn.functional.affine_grid(t, [0, 1, 2, 3], align_corners=False),
     [(F, (0, 2, 3))]),
    ("grid_sample", lambda lib, x, g: lib.nn.functional.grid_sample(x, g, align_corners=False),
     [(F, (0, 2, 3, 3)), (F, (0, 2, 2, 2))]),
    ("interpolate_bicubic", lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="bicubic"),
     [(F, (0, 2, 3, 3))]),
    ("interpolate_area", lambda lib, x: lib.nn.functional.interpolate(x, size=2, mode="area"), [(F, (0, 2, 4, 4))]),
    ("gumbel_softmax_hard", lambda lib, x: lib.nn.functional.gumbel_softmax(x, hard=True), [(F, (0, 3))]),
    ("log_softmax", lambda lib, x: lib.nn.functional.log_softmax(x, dim=-1), [(F, (0, 3))]),
    ("softmax_dim0", lambda lib, x: lib.nn.functional.softmax(x, dim=0), [(F, (0, 3))]),
    ("max_pool1d_indices", lambda lib, x: lib.nn.functional.max_pool1d(x, 2, return_indices=True),
     [(F, (0, 3, 4))]),
    ("avg_pool2d_ceil", lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, ceil_mode=True, count_include_pad=False),
     [(F, (0, 3, 5, 5))]),
    ("lp_pool1d", lambda lib, x: lib.nn.functional.lp_pool1d(x, 2.0, 2), [(F, (0, 3, 4))]),
    ("batch_norm_stats", lambda lib, x, m, v: lib.nn.functional.batch_norm(x, m.detach(), v.detach().abs(),
                                                                          training=True),
     [(F, (0, 3)), (F, (3,)), (F, (3,))]),
    ("layer_norm", lambda lib, x, w: lib.nn.functional.layer_norm(x, (2, 3), w), [(F, (0, 2, 3)), (F, (2, 3))]),
    ("group_norm", lambda lib, x: lib.nn.functional.group_norm(x, 2), [(F, (0, 4, 3))]),
    ("instance_norm", lambda lib, x: lib.nn.functional.instance_norm(x), [(F, (0, 3, 4))]),
    ("pad_reflect", lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"), [(F, (0, 2, 3, 3))]),
    ("embedding", lambda lib, w, t: lib.nn.functional.embedding(t, w), [(F, (10, 3)), ("i", (0,), 10)]),
    ("embedding_bag_offsets", lambda lib, w, t, o: lib.nn.functional.embedding_bag(t, w, o[:0]),
     [(F, (10, 3)), ("i", (0,), 10), ("i", (1,), 1)]),
    ("linear_no_bias", lambda lib, x, w: lib.nn.functional.linear(x, w), [(F, (0, 3)), (F, (2, 3))]),
    ("cross_entropy_smoothing", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, label_smoothing=0.1),
     [(F, (0, 3)), ("i", (0,), 3)]),
    ("nll_loss_weight", lambda lib, x, t, w: lib.nn.functional.nll_loss(x, t, w.detach()),
     [(F, (0, 3)), ("i", (0,), 3), (P, (3,))]),
    ("binary_cross_entropy_weight",
     lambda lib, x, t, w: lib.nn.functional.binary_cross_entropy(x, t.detach(), w.detach()),
     [(P, (0, 3)), (P, (0, 3)), (P, (0, 3))]),
    ("ctc_loss", lambda lib, x, t, il, tl: lib.nn.functional.ctc_loss(x.log_softmax(2), t, il, tl),
     [(F, (4, 0, 3)), ("i", (0, 2), 3), ("i", (0,), 1), ("i", (0,), 1)]),
    ("dropout_functional", lambda lib, x: lib.nn.functional.dropout(x, 0.5), [(F, (0, 3))]),
    ("silu_inplace", lambda lib, x: lib.nn.functional.silu(x * 1, inplace=True), [(F, (0, 3))]),
]


@pytest.mark.parametrize("name,fn,inputs", FUNCTIONALS, ids=[f[0] for f in FUNCTIONALS])
def test_functional_on_empty_batch_like_pytorch(name, fn, inputs):
    _compare(fn, fn, _arrays(inputs))


@pytest.mark.parametrize("name,shape", [("PixelShuffle", (4, 2, 2)), ("PixelUnshuffle", (1, 4, 4))])
def test_pixel_shuffle_on_empty_batch_keeps_pytorchs_sample_shape(name, shape):
    # PyTorch 2.13 itself gets these wrong for 0 samples (pixel_unshuffle returns its input's shape, pixel_shuffle's
    # backward fails), so the sample shape is taken from a batch of one
    torch = pytest.importorskip("torch")
    x = nt.zeros((0,) + shape, dtype=nt.float64, requires_grad=True)
    y = getattr(nt.nn, name)(2)(x)
    assert tuple(y.shape) == (0,) + tuple(getattr(torch.nn, name)(2)(torch.zeros((1,) + shape)).shape[1:])
    y.sum().backward()
    assert tuple(x.grad.shape) == (0,) + shape
