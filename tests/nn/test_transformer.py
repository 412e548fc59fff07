"""Transformer encoder/decoder stacks and LayerNorm against PyTorch (copied weights)."""
import warnings

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn.functional.normalization import layer_norm
from numbatorch.nn.modules.normalization import LayerNorm
from numbatorch.nn.modules.transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                                               TransformerEncoder, TransformerEncoderLayer)

torch = pytest.importorskip("torch")


def _copy_weights(nb, th):
    assert [n for n, _ in nb.named_parameters()] == [n for n, _ in th.named_parameters()]
    th.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in nb.state_dict().items()})


def _check(nb_out, th_out, nb_leaves, th_leaves, nb_mod, th_mod, tol=1e-9):
    np.testing.assert_allclose(nb_out.detach().numpy(), th_out.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(9).standard_normal(tuple(th_out.shape))
    (nb_out * numbatorch.tensor(w)).sum().backward()
    (th_out * torch.tensor(w)).sum().backward()
    for a, b in list(zip(nb_leaves, th_leaves)) + list(zip(nb_mod.parameters(), th_mod.parameters())):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("kwargs,masks,batched", [
    (dict(), ("causal", "bool"), True),
    (dict(norm_first=True, activation="gelu", batch_first=True), ("float", "float"), True),
    (dict(bias=False, layer_norm_eps=1e-3), (None, None), False),
])
def test_encoder_matches_torch(kwargs, masks, batched):
    S, N, E = 5, 3, 8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = TransformerEncoder(TransformerEncoderLayer(E, 2, 16, dropout=0.0, **kwargs), 2,
                                norm=LayerNorm(E)).double()
        th = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, 2, 16, dropout=0.0, **kwargs), 2,
                                         norm=torch.nn.LayerNorm(E)).double()
    _copy_weights(nb, th)
    rng = np.random.default_rng(0)
    bf = kwargs.get("batch_first", False)
    x = rng.standard_normal(((N, S, E) if bf else (S, N, E)) if batched else (S, E))
    attn_kind, kpm_kind = masks
    mask = kpm = None
    if attn_kind == "causal":
        mask = np.triu(np.full((S, S), -np.inf), 1)
    elif attn_kind == "float":
        mask = rng.standard_normal((S, S))
    if kpm_kind is not None:
        kpm = np.zeros((N, S), bool)
        kpm[0, -2:] = True
        if kpm_kind == "float":
            kpm = np.where(kpm, -np.inf, 0.0)
    xa, xb = numbatorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    wrap = (lambda lib, m: None if m is None else lib.tensor(m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oa = nb(xa, mask=wrap(numbatorch, mask), src_key_padding_mask=wrap(numbatorch, kpm))
        ob = th(xb, mask=wrap(torch, mask), src_key_padding_mask=wrap(torch, kpm))
    _check(oa, ob, [xa], [xb], nb, th)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(norm_first):
    nb = Transformer(8, 2, 2, 2, 16, dropout=0.0, norm_first=norm_first).double()
    th = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, norm_first=norm_first).double()
    _copy_weights(nb, th)
    rng = np.random.default_rng(1)
    src, tgt = rng.standard_normal((6, 2, 8)), rng.standard_normal((4, 2, 8))
    tgt_mask_nb = Transformer.generate_square_subsequent_mask(4, dtype=numbatorch.float64)
    tgt_mask_th = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    np.testing.assert_array_equal(tgt_mask_nb.numpy(), tgt_mask_th.numpy())
    mem_kpm = np.zeros((2, 6), bool)
    mem_kpm[1, -3:] = True
    memory_mask = rng.standard_normal((4, 6))
    sa, ta = numbatorch.tensor(src, requires_grad=True), numbatorch.tensor(tgt, requires_grad=True)
    sb, tb = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    oa = nb(sa, ta, tgt_mask=tgt_mask_nb, memory_mask=numbatorch.tensor(memory_mask),
            memory_key_padding_mask=numbatorch.tensor(mem_kpm), tgt_key_padding_mask=numbatorch.tensor(mem_kpm[:, :4]))
    ob = th(sb, tb, tgt_mask=tgt_mask_th, memory_mask=torch.tensor(memory_mask),
            memory_key_padding_mask=torch.tensor(mem_kpm), tgt_key_padding_mask=torch.tensor(mem_kpm[:, :4]))
    _check(oa, ob, [sa, ta], [sb, tb], nb, th)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        nb(sa, ta[:, :1])
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        nb(sa, ta[..., :4])


def test_decoder_layer_batch_first_tgt_is_causal():
    nb = TransformerDecoder(TransformerDecoderLayer(8, 4, 16, dropout=0.0, batch_first=True), 1).double()
    th = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 4, 16, dropout=0.0, batch_first=True),
                                     1).double()
    _copy_weights(nb, th)
    rng = np.random.default_rng(2)
    tgt, mem = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 5, 8))
    mask = np.triu(np.full((3, 3), -np.inf), 1)
    ta, tb = numbatorch.tensor(tgt, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    oa = nb(ta, numbatorch.tensor(mem), tgt_mask=numbatorch.tensor(mask), tgt_is_causal=True)
    ob = th(tb, torch.tensor(mem), tgt_mask=torch.tensor(mask), tgt_is_causal=True)
    _check(oa, ob, [ta], [tb], nb, th)


def test_parameter_names_and_init():
    nb = Transformer(16, 4, 1, 1, 32)
    th = torch.nn.Transformer(16, 4, 1, 1, 32)
    assert [(n, tuple(p.shape)) for n, p in nb.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in th.named_parameters()]
    w = nb.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6.0 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    with pytest.warns(UserWarning, match="enable_nested_tensor is True, but self.use_nested_tensor is False"):
        TransformerEncoder(TransformerEncoderLayer(16, 4), 1)


@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, False)])
def test_layer_norm_matches_torch(affine, bias):
    nb = LayerNorm((3, 4), eps=1e-4, elementwise_affine=affine, bias=bias).double()
    th = torch.nn.LayerNorm((3, 4), eps=1e-4, elementwise_affine=affine, bias=bias).double()
    rng = np.random.default_rng(3)
    if affine:
        _copy_weights(nb, th)
        with torch.no_grad():
            th.weight.copy_(torch.tensor(rng.standard_normal((3, 4))))
        nb.load_state_dict({k: numbatorch.tensor(v.numpy()) for k, v in th.state_dict().items()})
    assert repr(nb) == repr(th)
    x = rng.standard_normal((2, 3, 4))
    xa, xb = numbatorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oa, ob = nb(xa), th(xb)
    assert oa.grad_fn.name() == "NativeLayerNormBackward0"
    _check(oa, ob, [xa], [xb], nb, th)
    assert gradcheck(lambda a: layer_norm(a, (4,)), (numbatorch.tensor(x, requires_grad=True),))
