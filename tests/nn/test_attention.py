"""F.scaled_dot_product_attention and nn.MultiheadAttention against PyTorch and finite differences."""
import copy
import types

import numpy as np
import pytest

import numbatorch
from numbatorch.autograd import gradcheck
from numbatorch.nn.functional.attention import scaled_dot_product_attention
from numbatorch.nn.modules.multihead_attention import MultiheadAttention
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")


def _leaves(arrays, lib, grad=True):
    return [None if a is None else lib.tensor(a.copy(), requires_grad=grad and a.dtype.kind == "f")
            for a in arrays]


def _close(a, b, tol):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _backward_same(outs_nb, outs_th, seed=0):
    rng = np.random.default_rng(seed)
    loss_nb = loss_th = 0
    for a, b in zip(outs_nb, outs_th):
        w = rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype)
        loss_nb = loss_nb + (a * numbatorch.tensor(w)).sum()
        loss_th = loss_th + (b * torch.tensor(w)).sum()
    loss_nb.backward()
    loss_th.backward()


def _grads_same(nb, th, tol):
    for a, b in zip(nb, th):
        if b is None or not b.requires_grad:
            continue
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


SDPA_CASES = [
    # q shape, k batch shape, mask kind, is_causal, scale, dtype
    ((2, 3, 4, 5), (2, 3), None, False, None, np.float64),
    ((2, 3, 4, 5), (2, 3), "float", False, 0.3, np.float64),
    ((2, 3, 4, 5), (1, 3), "bool", False, None, np.float64),
    ((3, 4, 5), (3,), None, True, None, np.float64),
    ((2, 3, 1, 5), (2, 3), "float_head", False, None, np.float32),
    ((1, 1, 5), (1,), "bool_rowmasked", False, None, np.float64),
]


@pytest.mark.parametrize("q_shape,k_batch,mask_kind,is_causal,scale,dtype", SDPA_CASES)
def test_sdpa_matches_torch(q_shape, k_batch, mask_kind, is_causal, scale, dtype):
    rng = np.random.default_rng(1)
    L, E, S, Ev = q_shape[-2], q_shape[-1], 6, 3
    q = rng.standard_normal(q_shape).astype(dtype)
    k = rng.standard_normal(k_batch + (S, E)).astype(dtype)
    v = rng.standard_normal(k_batch + (S, Ev)).astype(dtype)
    mask = None
    if mask_kind == "float":
        mask = rng.standard_normal((L, S)).astype(dtype)
    elif mask_kind == "float_head":
        mask = rng.standard_normal((3, L, S)).astype(dtype)
    elif mask_kind == "bool":
        mask = rng.random((L, S)) > 0.3
        mask[:, 0] = True
    elif mask_kind == "bool_rowmasked":
        mask = rng.random((L, S)) > 0.5
        mask[0] = False  # a fully masked row: PyTorch gives zeros
    nb = _leaves([q, k, v, mask], numbatorch)
    th = _leaves([q, k, v, mask], torch)
    out_nb = scaled_dot_product_attention(*nb, is_causal=is_causal, scale=scale)
    out_th = torch.nn.functional.scaled_dot_product_attention(*th, is_causal=is_causal, scale=scale)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    _close(out_nb, out_th, tol)
    assert out_nb.dtype == numbatorch.float32 if dtype == np.float32 else out_nb.dtype == numbatorch.float64
    _backward_same([out_nb], [out_th])
    _grads_same(nb, th, tol)


def test_sdpa_heads_of_a_projection_like_torch():
    # heads as (N, H, L, head_dim) views of an (L, N, 3E) projection: output laid out in the query's axis order
    # (PyTorch's strides), values and gradients through the views equal
    proj = np.random.default_rng(6).standard_normal((5, 2, 12))
    outs, grads = [], []
    for lib in (numbatorch, torch):
        p = lib.tensor(proj, requires_grad=True)
        q, k, v = (p[..., i * 4:(i + 1) * 4].reshape(5, 2, 2, 2).permute(1, 2, 0, 3) for i in range(3))
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v)
        out.permute(2, 0, 1, 3).reshape(10, 4).pow(2).sum().backward()
        outs.append(out)
        grads.append(p.grad)
    assert outs[0].stride() == outs[1].stride()
    _close(outs[0], outs[1], 1e-12)
    _close(grads[0], grads[1], 1e-12)


@pytest.mark.parametrize("shape,order", [((2, 3, 4, 5), (0, 1, 2, 3)), ((2, 3, 4, 5), (0, 1, 3, 2)),
                                         ((2, 3, 4, 5), (2, 0, 1, 3)), ((2, 3, 4, 5), (0, 2, 1, 3)),
                                         ((3, 4, 5), (1, 0, 2)), ((2, 2, 3, 4, 5), (0, 3, 1, 2, 4))])
def test_sdpa_output_strides_follow_query_like_torch(shape, order):
    # the query stored in ``order`` (its last axis first when swapped: PyTorch's output keeps rows contiguous); 4-D
    # inputs take PyTorch's flash path, which keeps the query's layout, other ranks its math path (C order)
    stored = np.random.default_rng(7).standard_normal(tuple(shape[i] for i in order))
    outs = []
    for lib in (numbatorch, torch):
        q = lib.tensor(stored).permute(*np.argsort(order).tolist())
        outs.append(lib.nn.functional.scaled_dot_product_attention(q, q, q))
    assert outs[0].stride() == outs[1].stride()
    _close(outs[0], outs[1], 1e-12)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("average", [False, True])
def test_mha_weights_changed_in_place_like_torch(average, dropout):
    # the per-head weights are what backward reads: changing them in place raises, as in PyTorch; the head average
    # is a result of its own
    for lib in (numbatorch, torch):
        mha = lib.nn.MultiheadAttention(4, 2, dropout=dropout)
        x = lib.randn(3, 2, 4, requires_grad=True)
        out, weights = mha(x, x, x, average_attn_weights=average)
        weights.mul_(2.0)
        loss = out.sum() + weights.sum()
        if average:
            loss.backward()
        else:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                loss.backward()


def test_sdpa_gradcheck_and_dropout():
    rng = np.random.default_rng(2)
    q, k, v = (numbatorch.tensor(rng.standard_normal(s), requires_grad=True) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3)])
    mask = numbatorch.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert gradcheck(lambda *a: scaled_dot_product_attention(*a), (q, k, v, mask))
    assert gradcheck(lambda *a: scaled_dot_product_attention(*a, is_causal=True), (q, k, v))
    ones = numbatorch.ones(1, 8, 4)
    numbatorch.manual_seed(3)
    a = scaled_dot_product_attention(ones, ones, numbatorch.eye(8)[None], dropout_p=0.5)
    numbatorch.manual_seed(3)
    b = scaled_dot_product_attention(ones, ones, numbatorch.eye(8)[None], dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert set(np.unique(a.numpy()).round(6)) <= {0.0, 0.25}  # kept weights 1/8 scaled by 1/(1-p)


def _mha_pair(dtype, **kwargs):
    nb = MultiheadAttention(**kwargs).double() if dtype == np.float64 else MultiheadAttention(**kwargs)
    th = torch.nn.MultiheadAttention(**kwargs)
    th = th.double() if dtype == np.float64 else th
    assert [n for n, _ in nb.named_parameters()] == [n for n, _ in th.named_parameters()]
    th.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in nb.state_dict().items()})
    return nb, th


MHA_CASES = [
    # module kwargs, call kwargs, self-attention, batched
    (dict(), dict(), True, True),
    (dict(batch_first=True), dict(need_weights=False), True, True),
    (dict(), dict(attn_mask="bool2d", key_padding_mask="bool"), False, True),
    (dict(batch_first=True), dict(attn_mask="float3d", key_padding_mask="float", average_attn_weights=False),
     True, True),
    (dict(add_bias_kv=True, add_zero_attn=True), dict(attn_mask="float2d", key_padding_mask="bool"), False, True),
    (dict(kdim=3, vdim=5, bias=False), dict(key_padding_mask="bool"), False, True),
    (dict(), dict(attn_mask="causal", is_causal=True, need_weights=False), True, True),
    (dict(), dict(attn_mask="causal", is_causal=True), True, True),
    (dict(), dict(attn_mask="bool2d"), True, False),
    (dict(kdim=3, vdim=5), dict(key_padding_mask="bool", need_weights=False), False, False),
]


def _masks(kind, rng, L, S, N, H):
    if kind is None:
        return None
    if kind == "bool2d":
        m = rng.random((L, S)) > 0.7
        m[:, 0] = False
        return m
    if kind == "float2d":
        return rng.standard_normal((L, S))
    if kind == "float3d":
        return rng.standard_normal((N * H, L, S))
    if kind == "causal":
        return np.triu(np.full((L, S), -np.inf), 1)
    if kind == "bool":
        m = np.zeros((N, S) if N else (S,), bool)
        m[..., -1] = True
        return m
    if kind == "float":
        return np.where(np.arange(S) == S - 1, -np.inf, 0.0)[None].repeat(N, 0)
    raise ValueError(kind)


@pytest.mark.parametrize("module_kwargs,call_kwargs,self_attention,batched", MHA_CASES)
@pytest.mark.parametrize("dtype", [np.float64])
def test_mha_matches_torch(module_kwargs, call_kwargs, self_attention, batched, dtype):
    E, H, N, L = 8, 2, 3, 4
    S = L if self_attention else 5
    nb, th = _mha_pair(dtype, embed_dim=E, num_heads=H, **module_kwargs)
    rng = np.random.default_rng(4)
    bf = module_kwargs.get("batch_first", False)

    def inp(T, D):
        if not batched:
            return rng.standard_normal((T, D)).astype(dtype)
        return rng.standard_normal((N, T, D) if bf else (T, N, D)).astype(dtype)

    q = inp(L, E)
    k = inp(S, module_kwargs.get("kdim", E))
    v = inp(S, module_kwargs.get("vdim", E))
    call = dict(call_kwargs)
    masks = {}
    for name in ("attn_mask", "key_padding_mask"):
        kind = call.pop(name, None)
        if kind is not None:
            masks[name] = _masks(kind, rng, L, S, N if batched else 0, H).astype(
                bool if kind.startswith("bool") else dtype)
    if self_attention:
        nb_in, th_in = _leaves([q], numbatorch) * 3, _leaves([q], torch) * 3
    else:
        nb_in, th_in = _leaves([q, k, v], numbatorch), _leaves([q, k, v], torch)
    out_nb, w_nb = nb(*nb_in, **{k: numbatorch.tensor(m) for k, m in masks.items()}, **call)
    out_th, w_th = th(*th_in, **{k: torch.tensor(m) for k, m in masks.items()}, **call)
    _close(out_nb, out_th, 1e-10)
    outs_nb, outs_th = [out_nb], [out_th]
    if w_th is None:
        assert w_nb is None
    else:
        assert tuple(w_nb.shape) == tuple(w_th.shape)
        _close(w_nb, w_th, 1e-10)
        outs_nb.append(w_nb)
        outs_th.append(w_th)
    _backward_same(outs_nb, outs_th)
    _grads_same(nb_in[:1] if self_attention else nb_in, th_in[:1] if self_attention else th_in, 1e-9)
    _grads_same(list(nb.parameters()), list(th.parameters()), 1e-9)


def test_mha_fully_masked_row_matches_torch():
    nb, th = _mha_pair(np.float64, embed_dim=4, num_heads=2)
    x = np.random.default_rng(5).standard_normal((3, 2, 4))
    mask = np.zeros((3, 3), bool)
    mask[1] = True
    for need_weights in (True, False):
        a = nb(*[numbatorch.tensor(x)] * 3, attn_mask=numbatorch.tensor(mask), need_weights=need_weights)[0]
        b = th(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask), need_weights=need_weights)[0]
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-10)  # NaN == NaN


def test_mha_init_params_and_errors():
    m = MultiheadAttention(64, 8)
    assert sum(p.numel() for p in m.parameters()) == 16640
    assert sum(p.numel() for p in MultiheadAttention(64, 16).parameters()) == 16640
    assert repr(m) == repr(torch.nn.MultiheadAttention(64, 8))
    assert np.all(m.in_proj_bias.detach().numpy() == 0) and np.all(m.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6.0 / (64 + 192))  # xavier_uniform_ on the (192, 64) in_proj_weight
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        MultiheadAttention(10, 3)
    x = numbatorch.randn(3, 2, 64)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
        m(x, x, x, attn_mask=numbatorch.zeros(2, 2))


def test_mha_gradcheck():
    m = MultiheadAttention(4, 2, add_bias_kv=True).double()
    x = numbatorch.randn(3, 2, 4, dtype=numbatorch.float64, requires_grad=True)
    y = numbatorch.randn(2, 2, 4, dtype=numbatorch.float64, requires_grad=True)
    assert gradcheck(lambda a, b, *ps: m(a, b, b), (x, y, *m.parameters()))


def test_mha_self_attention_gradcheck():
    # self-attention: q, k, v are views of one projection, their gradients come back in one array (chunk's backward
    # takes it whole)
    m = MultiheadAttention(4, 2).double()
    x = numbatorch.randn(3, 2, 4, dtype=numbatorch.float64, requires_grad=True)
    assert gradcheck(lambda a, *ps: m(a, a, a), (x, *m.parameters()))


def test_tutorial_multihead_attention_equals_module():
    """Section 6.2.4's hand-written attention (run on numbatorch) equals nn.MultiheadAttention."""
    from numbatorch.nn.functional.activation import softmax
    from numbatorch.nn.modules.container import ModuleList
    from numbatorch.nn.modules.dropout import Dropout
    from numbatorch.nn.modules.linear import Linear
    from numbatorch.nn.modules.module import Module
    nn = types.SimpleNamespace(Module=Module, Linear=Linear, ModuleList=ModuleList, Dropout=Dropout)

    class ScaledDotProductAttention(nn.Module):
        def forward(self, query, key, value, mask=None, dropout=None):
            d_k = query.size(-1)
            scores = query @ key.transpose(-2, -1) / d_k ** 0.5
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e20)
            p_attn = softmax(scores, dim=-1)
            if dropout is not None:
                p_attn = dropout(p_attn)
            return p_attn @ value, p_attn

    class MultiHeadAttention(nn.Module):
        def __init__(self, h, d_model, dropout=0.1):
            super().__init__()
            self.d_k = d_model // h
            self.h = h
            self.linears = nn.ModuleList([copy.deepcopy(nn.Linear(d_model, d_model)) for _ in range(4)])
            self.attn = None
            self.dropout = nn.Dropout(p=dropout)
            self.attention = ScaledDotProductAttention()

        def forward(self, query, key, value, mask=None):
            if mask is not None:
                mask = mask.unsqueeze(1)
            nbatches = query.size(0)
            query, key, value = [lin(x).view(nbatches, -1, self.h, self.d_k).transpose(1, 2)
                                 for lin, x in zip(self.linears, (query, key, value))]
            x, self.attn = self.attention(query, key, value, mask=mask, dropout=self.dropout)
            x = x.transpose(1, 2).contiguous().view(nbatches, -1, self.h * self.d_k)
            return self.linears[-1](x)

    mine = MultiHeadAttention(8, 64).eval()
    ref = MultiheadAttention(64, 8, batch_first=True)
    with numbatorch.no_grad():
        ref.load_state_dict({
            "in_proj_weight": numbatorch.cat([mine.linears[i].weight for i in range(3)]),
            "in_proj_bias": numbatorch.cat([mine.linears[i].bias for i in range(3)]),
            "out_proj.weight": mine.linears[3].weight, "out_proj.bias": mine.linears[3].bias})
    x = numbatorch.randn(8, 20, 64)
    np.testing.assert_allclose(mine(x, x, x).detach().numpy(), ref(x, x, x)[0].detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_sdpa_argument_errors():
    """Shapes, the causal/mask clash and mask broadcasting are checked before the kernel runs."""
    q, k, v = (numbatorch.zeros(*s, dtype=numbatorch.float64) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))
    with pytest.raises(RuntimeError, match="is_causal"):
        scaled_dot_product_attention(q, k, v, attn_mask=numbatorch.ones(3, 5, dtype=numbatorch.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="batch2 tensor"):
        scaled_dot_product_attention(q, numbatorch.zeros(2, 5, 3, dtype=numbatorch.float64), v)
    with pytest.raises(RuntimeError, match="must match the size"):
        scaled_dot_product_attention(q, k, v, attn_mask=numbatorch.ones(4, 5, dtype=numbatorch.bool))


@pytest.mark.parametrize("q_shape,k_shape,v_shape,transposed", [
    ((2, 0, 5, 4), (2, 0, 6, 4), (2, 0, 6, 3), True),  # no heads, a query whose batch axes do not merge
    ((2, 3, 0, 4), (2, 3, 6, 4), (2, 3, 6, 3), False),  # no queries
    ((2, 3, 5, 4), (2, 3, 0, 4), (2, 3, 0, 3), True),  # no keys
    ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 0), False),  # empty values
])
def test_sdpa_zero_size_like_torch(q_shape, k_shape, v_shape, transposed):
    # transposed: the query a (B, H, E, L) array's transposed view
    rng = np.random.default_rng(3)
    q_data = rng.standard_normal(q_shape[:-2] + q_shape[:-3:-1] if transposed else q_shape)
    compare_with_torch(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
        q.transpose(-1, -2) if transposed else q, k, v), q_data, rng.standard_normal(k_shape),
        rng.standard_normal(v_shape), names=False)


@pytest.mark.parametrize("tgt_len, src_len", [(0, 4), (3, 0)])
def test_mha_no_queries_or_no_keys_like_torch(tgt_len, src_len):
    rng = np.random.default_rng(4)
    m_nb = MultiheadAttention(4, 2).double()
    m_th = torch.nn.MultiheadAttention(4, 2).double()
    m_th.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in m_nb.state_dict().items()})
    q, kv = rng.standard_normal((tgt_len, 2, 4)), rng.standard_normal((src_len, 2, 4))
    compare_with_torch(lambda lib, q, kv: (m_nb if lib is numbatorch else m_th)(q, kv, kv), q, kv, names=False)
