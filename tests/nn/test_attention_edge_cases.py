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
