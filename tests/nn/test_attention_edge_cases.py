"""Attention's edge cases against PyTorch: no features, losses on the returned weights alone, weights' layout."""
import numpy as np
import pytest

import numbatorch
from numbatorch.nn.modules.multihead_attention import MultiheadAttention
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")


def _mha_pair(**kwargs):
    nb = MultiheadAttention(**kwargs).double()
    th = torch.nn.MultiheadAttention(**kwargs).double()
    th.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in nb.state_dict().items()})
    return nb, th


def _grads_equal(nb, th):
    for (name, a), b in zip(nb.named_parameters(), th.parameters()):
        assert (a.grad is None) == (b.grad is None), name
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("mask_name", ["key_padding_mask", "attn_mask"])
@pytest.mark.parametrize("average", [True, False])
def test_mha_loss_on_weights_alone_with_a_fully_masked_row_like_torch(mask_name, average):
    # only the weights reach the loss: the value projection's gradient is PyTorch's zeros, not NaN from the masked
    # row's NaN weights times the output's missing (zero) gradient; q and k get PyTorch's NaN
    nb, th = _mha_pair(embed_dim=4, num_heads=2)
    x = np.random.default_rng(5).standard_normal((3, 2, 4))
    mask = np.zeros((2, 3) if mask_name == "key_padding_mask" else (3, 3), bool)
    mask[1] = True
    for lib, module in ((numbatorch, nb), (torch, th)):
        _, weights = module(*[lib.tensor(x)] * 3, **{mask_name: lib.tensor(mask)}, average_attn_weights=average)
        weights.nan_to_num().sum().backward()
    _grads_equal(nb, th)
    assert np.isfinite(nb.in_proj_weight.grad.numpy()[8:]).all()


@pytest.mark.parametrize("kwargs", [dict(), dict(scale=0.5), dict(is_causal=True), dict(attn_mask="float"),
                                    dict(attn_mask="bool")])
def test_sdpa_without_features_like_torch(kwargs):
    # E = 0: every score is 0 (PyTorch's default scale 1 / sqrt(0) never reaches them), so softmax is uniform over
    # the keys the masks leave
    rng = np.random.default_rng(6)
    kwargs = dict(kwargs)
    arrays = [rng.standard_normal((2, 3, 0)), rng.standard_normal((2, 4, 0)), rng.standard_normal((2, 4, 5))]
    mask = kwargs.pop("attn_mask", None)
    if mask == "float":
        arrays.append(rng.standard_normal((3, 4)))
    elif mask == "bool":
        arrays.append(rng.random((3, 4)) > 0.4)
        arrays[-1][:, 0] = True
    compare_with_torch(lambda lib, q, k, v, *m: lib.nn.functional.scaled_dot_product_attention(
        q, k, v, *m, **kwargs), *arrays, names=False)


@pytest.mark.parametrize("kdim,vdim", [(0, 4), (4, 0), (0, 0)])
def test_mha_keys_or_values_without_features_like_torch(kdim, vdim):
    nb, th = _mha_pair(embed_dim=4, num_heads=2, kdim=kdim, vdim=vdim)
    rng = np.random.default_rng(7)
    q, k, v = rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, kdim)), rng.standard_normal((5, 2, vdim))
    compare_with_torch(lambda lib, q, k, v: (nb if lib is numbatorch else th)(q, k, v), q, k, v, names=False)


@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
@pytest.mark.parametrize("batched", [True, False])
def test_mha_weights_are_contiguous_like_torch(average, dropout, batched):
    # laid out beside the softmax, not a transposed view of it: ``view`` works on them as in PyTorch
    nb, th = _mha_pair(embed_dim=8, num_heads=2, dropout=dropout)
    x = np.random.default_rng(8).standard_normal((5, 3, 8) if batched else (5, 8))
    weights = []
    for lib, module in ((numbatorch, nb), (torch, th)):
        lib.manual_seed(0)
        weights.append(module(*[lib.tensor(x)] * 3, average_attn_weights=average)[1])
    assert weights[0].is_contiguous() and weights[0].stride() == weights[1].stride()
    flat = weights[0].view(-1)
    if dropout:  # the draws differ: compare the shapes and what every row keeps in expectation
        assert flat.shape == weights[1].view(-1).shape
        np.testing.assert_allclose(weights[0].sum(-1).mean().item(), 1.0, atol=0.3)
    else:
        np.testing.assert_allclose(flat.detach().numpy(), weights[1].view(-1).detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("heads", [1, 3])
def test_transposed_head_mean_is_numpy_mean_transposed(heads):
    from numbatorch.backends.cpu._attention_weights import transposed_head_mean
    used = np.random.default_rng(9).random((2 * heads, 37, 21)).astype(np.float32)
    out = np.empty((2, 21, 37), np.float32)
    transposed_head_mean(used, heads, np.float32(heads), out)
    np.testing.assert_array_equal(out, used.reshape(2, heads, 37, 21).mean(1).transpose(0, 2, 1))


_F32, _F64, _I64, _B = "float32", "float64", "int64", "bool"
SDPA_ERROR_CASES = [
    # (shape, dtype) of query, key, value; then keyword arguments, the mask as (shape, dtype)
    ((((2, 3, 4), _F32), ((2, 5, 4), _F64), ((2, 5, 6), _F32)), {}),  # mixed dtypes
    ((((4,), _F32), ((4,), _F32), ((4,), _F32)), {}),  # 1-D
    ((((2, 3, 4), _I64), ((2, 5, 4), _I64), ((2, 5, 6), _I64)), {}),  # integers
    ((((2, 3, 4), _B), ((2, 5, 4), _B), ((2, 5, 6), _B)), {}),
    ((((2, 3, 4), _I64), ((5, 4), _I64), ((5, 6), _I64)), {}),  # float weights times integers, folded (mm)
    ((((2, 3, 4), _I64), ((2, 5, 4), _I64), ((2, 5, 6), _I64)), dict(attn_mask=((3, 5), _B), is_causal=True)),
    ((((2, 3, 4), "int16"), ((2, 5, 4), "int16"), ((2, 5, 6), "int16")), dict(attn_mask=((3, 5), _B))),
    ((((2, 3, 4), "complex64"), ((2, 5, 4), "complex64"), ((2, 6, 6), "complex64")), dict(dropout_p=2.0)),
    ((((2, 2, 3, 4), _F32), ((2, 2, 5, 3), _F32), ((2, 2, 5, 6), _F32)), {}),  # embedding sizes differ
    ((((3, 4), _F32), ((5, 3), _F32), ((5, 6), _F32)), {}),
    ((((2, 3, 4), _F32), ((5, 3), _F32), ((5, 6), _F32)), {}),
    ((((2, 2, 3, 4), _F32), ((2, 2, 5, 4), _F32), ((2, 2, 6, 6), _F32)), {}),  # sequence lengths differ
    ((((2, 2, 3, 4), _F32), ((3, 2, 5, 4), _F32), ((3, 2, 5, 6), _F32)), {}),  # batches do not broadcast
    ((((2, 2, 3, 4), _F32), ((2, 2, 5, 4), _F32), ((3, 2, 5, 6), _F32)), {}),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((3, 5), _I64))),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((3, 5), _F64))),
    ((((2, 3, 4), _F64), ((2, 5, 4), _F64), ((2, 5, 6), _F64)), dict(attn_mask=((3, 5), _F32))),  # allowed
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((4, 5), _B))),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((2, 2, 3, 5), _B))),
    ((((2, 3, 4), _F32), ((2, 5, 3), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((4, 5), _F32))),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((3, 5), _F32), is_causal=True)),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(dropout_p=1.5)),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(dropout_p=-0.5)),  # drops nothing
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((2, 5, 6), _F32)), dict(attn_mask=((4, 5), _F32), dropout_p=2.0)),
    ((((2, 3, 3, 4), _F32), ((2, 2, 5, 4), _F32), ((2, 2, 5, 6), _F32)), dict(enable_gqa=True)),
    ((((2, 4, 3, 4), _F32), ((2, 8, 5, 4), _F32), ((2, 4, 5, 6), _F32)), dict(enable_gqa=True)),
    ((((2, 4, 3, 4), _F32), ((2, 2, 5, 4), _F32), ((2, 1, 5, 6), _F32)), dict(enable_gqa=True)),  # allowed
    ((((3, 4), _F32), ((5, 4), _F32), ((5, 6), _F32)), dict(enable_gqa=True)),
    ((((2, 3, 4), _F32), ((2, 5, 4), _F32), ((5, 6), _F32)), dict(enable_gqa=True)),  # a 2-D value
    ((((1, 3, 4), _F32), ((3, 5, 4), _F32), ((5, 6), _F32)), dict(enable_gqa=True)),  # before the heads' check
]


@pytest.mark.parametrize("inputs,kwargs", SDPA_ERROR_CASES)
def test_sdpa_errors_like_torch(inputs, kwargs):
    # PyTorch's checks in its order: dtypes, dimensions, the mask's dtype, is_causal with a mask, grouped heads, then
    # its math path's products, mask addition, dropout and dtype
    results = []
    for lib in (numbatorch, torch):
        args = [lib.ones(*shape, dtype=getattr(lib, dtype)) for shape, dtype in inputs]
        kw = {k: lib.ones(*v[0], dtype=getattr(lib, v[1])) if k == "attn_mask" else v for k, v in kwargs.items()}
        try:
            out = lib.nn.functional.scaled_dot_product_attention(*args, **kw)
            results.append((str(out.dtype).split(".")[-1], tuple(out.shape), out.detach().numpy().tolist()))
        except Exception as error:  # noqa: BLE001 - the error itself is what is compared
            results.append((type(error).__name__, str(error)))
    assert results[0] == results[1]


@pytest.mark.parametrize("mask_shape", [(3, 5), (2, 4)])
def test_mha_key_padding_mask_shape_errors_like_torch(mask_shape):
    errors = []
    for lib in (numbatorch, torch):
        mha = lib.nn.MultiheadAttention(4, 2)
        x = lib.ones(5, 2, 4)
        with pytest.raises(AssertionError) as info:
            mha(x, x, x, key_padding_mask=lib.zeros(*mask_shape, dtype=lib.bool))
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_mha_dropout_in_training_like_torch_in_shape_and_statistics():
    # the draws differ from PyTorch's: compare shapes, the dropped fraction and the kept weights' scaling
    nb, th = _mha_pair(embed_dim=16, num_heads=4, dropout=0.3)
    x = np.random.default_rng(10).standard_normal((40, 6, 16))
    for lib, module in ((numbatorch, nb), (torch, th)):
        lib.manual_seed(0)
        out, dropped = module(*[lib.tensor(x)] * 3, average_attn_weights=False)
        module.eval()
        _, full = module(*[lib.tensor(x)] * 3, average_attn_weights=False)
        module.train()
        dropped, full = dropped.detach().numpy(), full.detach().numpy()
        assert tuple(out.shape) == (40, 6, 16) and dropped.shape == (6, 4, 40, 40)
        kept = dropped != 0
        assert abs(1 - kept.mean() - 0.3) < 0.02
        np.testing.assert_allclose(dropped[kept], full[kept] / 0.7, rtol=1e-12)


@pytest.mark.parametrize("attn_dims", [None, 2, 3])
@pytest.mark.parametrize("with_padding", [False, True])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_mha_merge_masks_like_torch(attn_dims, with_padding, kind):
    rng = np.random.default_rng(11)
    batch, heads, length = 2, 3, 4
    shapes = {None: None, 2: (length, length), 3: (batch * heads, length, length)}
    arrays = [None if shapes[attn_dims] is None else rng.standard_normal(shapes[attn_dims]),
              rng.standard_normal((batch, length)) if with_padding else None]
    arrays = [a if a is None or kind == "float" else a > 0 for a in arrays]
    query = rng.standard_normal((batch, length, 6))
    merged = []
    for lib in (numbatorch, torch):
        mha = lib.nn.MultiheadAttention(6, heads, batch_first=True)
        mask, mask_type = mha.merge_masks(*[None if a is None else lib.tensor(a) for a in arrays], lib.tensor(query))
        merged.append((None if mask is None else (tuple(mask.shape), str(mask.dtype).split(".")[-1],
                                                  mask.numpy().tolist()), mask_type))
    assert merged[0] == merged[1]


MHA_ERROR_CASES = [
    # module kwargs, (shape, dtype) of query, key, value, call kwargs with masks as (shape, dtype)
    (dict(kdim=3, vdim=5), (((5, 3, 8), _F32), ((4, 3, 4), _F32), ((4, 3, 5), _F32)), {}),  # key features
    (dict(), (((5, 3, 8), _F32), ((4, 2, 8), _F32), ((4, 2, 8), _F32)), {}),  # batches differ
    (dict(kdim=3, vdim=5), (((5, 3, 8), _F32), ((4, 3, 3), _F32), ((6, 3, 5), _F32)), {}),
    (dict(), (((5, 8), _F32),) * 3, dict(attn_mask=((3, 5, 5), _B))),
    (dict(), (((5, 3, 8), _F32),) * 3, dict(attn_mask=((5, 5), _F64))),
    (dict(), (((5, 3, 8), _F32),) * 3, dict(attn_mask=((5, 5), _F64), need_weights=False)),
    (dict(), (((5, 3, 8), _F32),) * 3, dict(key_padding_mask=((3, 5), _F64), attn_mask=((5, 5), _B))),
    (dict(), (((5, 3, 8), _F32),) * 3, dict(key_padding_mask=((3, 5), _F64), need_weights=False)),
    (dict(dtype="float64"), (((5, 3, 8), _F64),) * 3, dict(attn_mask=((5, 5), _F32))),
    (dict(dtype="float64"), (((5, 3, 8), _F64),) * 3, dict(attn_mask=((5, 5), _F32), need_weights=False)),  # ok
    (dict(), (((5, 8), _F32),) * 3, dict(attn_mask=((3, 5, 5), _I64))),  # the module checks dtypes before shapes
    (dict(), (((5, 3, 8), _F32),) * 3, dict(key_padding_mask=((5,), _I64), attn_mask=((5, 5), _I64))),
    (dict(dropout=1.5), (((5, 3, 8), _F32),) * 3, {}),  # F.dropout's ValueError
    (dict(dropout=1.5), (((5, 3, 8), _F32),) * 3, dict(need_weights=False)),  # scaled_dot_product_attention's
]


@pytest.mark.parametrize("module_kwargs,inputs,kwargs", MHA_ERROR_CASES)
def test_mha_errors_like_torch(module_kwargs, inputs, kwargs):
    results = []
    for lib in (numbatorch, torch):
        mkw = {k: getattr(lib, v) if k == "dtype" else v for k, v in module_kwargs.items()}
        mha = lib.nn.MultiheadAttention(8, 2, **mkw)
        args = [lib.ones(*shape, dtype=getattr(lib, dtype)) for shape, dtype in inputs]
        kw = {k: lib.zeros(*v[0], dtype=getattr(lib, v[1])) if k.endswith("mask") else v for k, v in kwargs.items()}
        try:
            out = mha(*args, **kw)[0]
            results.append((str(out.dtype).split(".")[-1], tuple(out.shape)))
        except Exception as error:  # noqa: BLE001 - the error itself is what is compared
            results.append((type(error).__name__, str(error).replace("numbatorch.Size", "Size").replace(
                "torch.Size", "Size")))  # each library prints its own Size
    assert results[0] == results[1]


def test_mha_importable_from_activation_like_torch():
    from numbatorch.nn.modules import activation
    assert activation.MultiheadAttention is MultiheadAttention and "MultiheadAttention" in vars(
        torch.nn.modules.activation)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("module_kwargs,grad", [(dict(batch_first=True), False), (dict(batch_first=True), True),
                                                (dict(), False), (dict(batch_first=True, bias=False), False)])
def test_mha_inference_fast_path_like_torch(module_kwargs, grad, need_weights):
    # in eval mode without autograd PyTorch's fused kernel gives NaN for a fully padded sequence also without
    # weights (its other path zeros) and ignores is_causal without a mask (its other path raises)
    nb, th = _mha_pair(embed_dim=4, num_heads=2, **module_kwargs)
    nb.eval(), th.eval()
    bf = module_kwargs["batch_first"] if "batch_first" in module_kwargs else False
    x = np.random.default_rng(12).standard_normal((2, 3, 4) if bf else (3, 2, 4))
    padding = np.zeros((2, 3), bool)
    padding[1] = True
    results = []
    for lib, module in ((numbatorch, nb), (torch, th)):
        with lib.set_grad_enabled(grad):
            calls = [dict(key_padding_mask=lib.tensor(padding)), dict(is_causal=True)]
            outs = []
            for kwargs in calls:
                try:
                    out, weights = module(*[lib.tensor(x)] * 3, need_weights=need_weights, **kwargs)
                    outs.append([a.detach().numpy() for a in (out, weights) if a is not None])
                except RuntimeError as error:
                    outs.append(str(error))
        results.append(outs)
    for got, want in zip(*results):
        if isinstance(want, str):
            assert got == want
        else:
            assert len(got) == len(want)
            for a, b in zip(got, want):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)  # NaN where PyTorch's are
