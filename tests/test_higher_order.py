"""Higher-order gradients (``create_graph=True``): double-backward gradcheck per op and second derivatives against
PyTorch (the graph's semantics: ``test_higher_order_graph``; ``autograd.functional``:
``test_higher_order_functional``)."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradgradcheck
from numbatorch.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")


def _lib_functional(lib):
    return lib.nn.functional


# (id, fn(lib, *tensors) -> tensor, input shapes). Inputs are standard normal; ops that need positive inputs
# make them inside fn, and kinks (abs, relu, clamp) are almost surely not within eps of a random input.
OPS = [
    ("add", lambda lib, a, b: (a + b) * a + lib.add(a, b, alpha=2.5), [(3, 2), (2,)]),
    ("sub", lambda lib, a, b: (a - b) * b + lib.sub(a, b, alpha=0.5) * a - (1.0 - a) * b, [(3, 2), (3, 1)]),
    ("mul", lambda lib, a, b: a * b * a, [(2, 3), (3,)]),
    ("div", lambda lib, a, b: a / (b * b + 1) + 2.0 / (a * a + 1), [(4,), (4,)]),
    ("neg", lambda lib, a: -(a * a), [(4,)]),
    ("pow_scalar", lambda lib, a: (a * a + 0.5) ** 1.5 + a ** 3, [(4,)]),
    ("pow_tensor", lambda lib, a, b: (a * a + 0.5) ** b, [(4,), (4,)]),
    ("exp", lambda lib, a: lib.exp(a * 0.5) * a, [(4,)]),
    ("log", lambda lib, a: lib.log(a * a + 1) * a, [(4,)]),
    ("sqrt", lambda lib, a: lib.sqrt(a * a + 1) * a, [(4,)]),
    ("abs", lambda lib, a: lib.abs(a) * a, [(5,)]),
    ("sin_cos", lambda lib, a: lib.sin(a) * lib.cos(2 * a), [(4,)]),
    ("inverse_trig_hyperbolic", lambda lib, a: lib.asin(a.tanh() * 0.9) * lib.acos(a.tanh() * 0.8)
     + lib.asinh(a) * lib.acosh(a * a + 1.5) + lib.atanh(a.tanh() * 0.5) * a, [(5,)]),
    ("erf_family", lambda lib, a: lib.erf(a) * lib.erfc(a * 0.5) + lib.erfinv(a.tanh() * 0.5) * a, [(5,)]),
    ("gamma_functions", lambda lib, a: lib.lgamma(a * a + 0.5) * a + lib.digamma(a.exp()) * lib.polygamma(1, a * a + 1),
     [(4,)]),
    ("rounding", lambda lib, a: lib.frac(a * 3) * a + lib.floor(a * 3) * a * a + lib.sign(a) * a ** 3, [(5,)]),
    ("atan2_hypot_logaddexp", lambda lib, a, b: lib.atan2(a, b) * lib.hypot(a, b) + lib.logaddexp(a, b * 2) * a,
     [(4,), (4,)]),
    ("tanh", lambda lib, a: lib.tanh(a), [(4,)]),
    ("sigmoid", lambda lib, a: lib.sigmoid(a), [(4,)]),
    ("relu", lambda lib, a: lib.relu(a) * a, [(5,)]),
    ("leaky_relu", lambda lib, a: _lib_functional(lib).leaky_relu(a, 0.2) * a, [(5,)]),
    ("softplus", lambda lib, a: _lib_functional(lib).softplus(a, beta=2, threshold=1.0), [(6,)]),
    ("elu_selu", lambda lib, a: _lib_functional(lib).elu(a, 0.7) * a + _lib_functional(lib).selu(a) ** 2, [(6,)]),
    ("gelu_silu", lambda lib, a: _lib_functional(lib).gelu(a) * _lib_functional(lib).gelu(a, approximate="tanh")
     + _lib_functional(lib).silu(a) * a, [(6,)]),
    ("mish_hardswish", lambda lib, a: _lib_functional(lib).mish(a) * a + _lib_functional(lib).hardswish(a * 3) * a,
     [(6,)]),
    ("prelu", lambda lib, x, w: _lib_functional(lib).prelu(x, w) ** 2 * x, [(2, 3, 2), (3,)]),
    ("glu", lambda lib, a: _lib_functional(lib).glu(a, 1) ** 2 * a[:, :2], [(3, 4)]),
    ("softsign_logsigmoid_tanhshrink", lambda lib, a: _lib_functional(lib).softsign(a) * a
     + _lib_functional(lib).logsigmoid(a) + _lib_functional(lib).tanhshrink(a), [(6,)]),
    ("hardtanh_threshold", lambda lib, a: _lib_functional(lib).hardtanh(a, -0.5, 0.8) * a
     + _lib_functional(lib).threshold(a, 0.1, -1.0) * a, [(6,)]),
    ("clamp", lambda lib, a: lib.clamp(a, -0.5, 0.5) * a, [(6,)]),
    ("where", lambda lib, a, b: lib.where(a > 0, a * b, b * b), [(5,), (5,)]),
    ("view_reshape", lambda lib, a: (a.view(2, 3).reshape(3, 2) * a.reshape(3, 2)), [(6,)]),
    ("transpose_permute", lambda lib, a: a.transpose(0, 1).permute(2, 0, 1) * a.permute(2, 1, 0), [(2, 3, 2)]),
    ("expand", lambda lib, a: a.expand(3, 2, 2) * a, [(2, 1)]),
    ("squeeze_unsqueeze", lambda lib, a: a.unsqueeze(1).squeeze(2) * a.unsqueeze(1), [(3, 1)]),
    ("index_slice", lambda lib, a: a[1:, ::2] * a[0, 1::2] + a.select(1, 2)[1:].unsqueeze(1) * a[:-1, 1:2], [(3, 4)]),
    ("advanced_index", lambda lib, a: a[lib.tensor([0, 2, 0])] * a[[1, 1, 2], [0, 2, 1]].unsqueeze(1)
     + a[a.detach() > 0].sum(), [(3, 3)]),
    ("split_chunk_unbind", lambda lib, a: a.split([1, 2], 0)[1] * a.chunk(3, 1)[0][1:] + a.unbind(0)[0] * a[1:].sin(),
     [(3, 3)]),
    ("masked_fill_gather", lambda lib, a: a.masked_fill(a.detach() > 0.5, 2.0) * a
     + a.gather(1, lib.tensor([[0, 0], [2, 1], [1, 1]])).sum(1, keepdim=True) * a + (a > 0) * a, [(3, 3)]),
    ("setitem", lambda lib, a, b: _assigned(a, b) * a, [(3, 3), (2,)]),
    ("cat_stack", lambda lib, a, b: lib.cat([a, b * a], 0) * lib.cat([b, a], 0)
     + lib.stack([a * a, b], 1).sum(1).sum(0), [(2, 3), (2, 3)]),
    ("norm", lambda lib, a: a.norm(2, dim=1) * a.sum(1) + a.norm(3) + lib.linalg.vector_norm(a, 1.5, dim=1), [(3, 4)]),
    ("sum_mean", lambda lib, a: (a.sum(0) * a.mean(1, keepdim=True)) * a.mean() + a.sum() ** 2, [(3, 2)]),
    ("max_min", lambda lib, a, b: lib.maximum(a, b) * lib.minimum(a, b.sin()) * a.max(0).values
     + a.amax(1, keepdim=True) * a.min() + a.sort(1).values * a.topk(2, 1).values.sum(1, keepdim=True),
     [(3, 4), (3, 4)]),
    ("var_std", lambda lib, a: a.var(1, keepdim=True) * a.std(0).sum() + a.std() * a
     + lib.var_mean(a, 0)[0] * lib.std_mean(a)[1] + lib.std_mean(a, 1, keepdim=True)[0], [(3, 4)]),
    ("cumsum_logsumexp", lambda lib, a: a.cumsum(1) * a + a.logsumexp(1, keepdim=True) * a.logsumexp((0, 1)),
     [(3, 4)]),
    ("diagonal_trace", lambda lib, a: a.diagonal(1).sum() * a.diagonal() + lib.diag_embed(a * a).sum(0)
     + lib.trace(a) * a, [(3, 3)]),
    ("prod", lambda lib, a: a.prod(1, keepdim=True) * a + a.prod() * a.prod(0), [(3, 3)]),
    ("remainder_xlogy", lambda lib, a, b: lib.remainder(a * 3, b + 2.5) * a + lib.fmod(a, 0.7) * b
     + lib.xlogy(a, b * b + 0.5) * a + lib.logaddexp2(a, b), [(4,), (4,)]),
    ("reorder", lambda lib, a: a.flip(0) * a.roll(1, 1) + a.roll(2) * a.rot90(2, (0, 1)) + a.tril(1) * a.triu(),
     [(3, 3)]),
    ("repeat_index_select", lambda lib, a: a.repeat(2, 1)[1:4] * a.repeat_interleave(2, dim=0)[:3]
     + a.index_select(0, lib.tensor([2, 0, 2])) * a, [(3, 2)]),
    ("lerp_addcmul_addcdiv", lambda lib, a, b, w: lib.lerp(a, b, 0.3) * lib.lerp(a, b, w) * a
     + lib.addcmul(a, b, w, value=0.5) * lib.addcdiv(a, b, w * w + 1, value=2.0) * b, [(4,), (4,), (4,)]),
    ("matmul", lambda lib, a, b: lib.tanh(a @ b), [(3, 4), (4, 2)]),
    ("matmul_batched", lambda lib, a, b: lib.tanh(a @ b), [(2, 3, 4), (4, 2)]),
    ("matmul_vector", lambda lib, a, b, c: lib.tanh(a @ b).sum() * (b @ b) + lib.tanh(b @ c), [(3, 4), (4,), (4, 2)]),
    ("inv_det_logdet", lambda lib, a: lib.linalg.inv(a + 3 * lib.eye(3, dtype=a.dtype)) * lib.linalg.det(a)
     + lib.logdet(a @ a.t() + lib.eye(3, dtype=a.dtype)) + lib.linalg.slogdet(a + 2 * lib.eye(3, dtype=a.dtype))[1],
     [(3, 3)]),
    ("solve", lambda lib, a, b, v: lib.linalg.solve(a + 3 * lib.eye(3, dtype=a.dtype), b) ** 2
     + lib.linalg.solve(a + 3 * lib.eye(3, dtype=a.dtype), v).unsqueeze(1)
     + lib.linalg.solve(a + 3 * lib.eye(3, dtype=a.dtype), b.t(), left=False).t(), [(3, 3), (3, 3), (3,)]),
    ("einsum", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b).tanh() * lib.einsum("ij->i", a).unsqueeze(1)
     + lib.einsum("ij,ij->", a, a) + lib.tensordot(a, b.t(), 2), [(3, 4), (4, 3)]),
    ("mm_addmm", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0) * lib.mm(a, b), [(3, 2), (3, 4),
                                                                                            (4, 2)]),
    ("linear", lambda lib, x, w, b: lib.sigmoid(_lib_functional(lib).linear(x, w, b)), [(4, 3), (2, 3), (2,)]),
    ("bilinear", lambda lib, x1, x2, w, b: _lib_functional(lib).bilinear(x1, x2, w, b) ** 2 * x1[:, :1],
     [(3, 2), (3, 4), (2, 2, 4), (2,)]),
    ("nansum_copy_fill", lambda lib, a: a.nansum(1) * a.sum(1) + lib.zeros(3, dtype=a.dtype).copy_(a[0] * a[1])
     + a.clone().fill_(2.0) * a[2], [(3, 3)]),
    ("mse_l1", lambda lib, a, b: _lib_functional(lib).mse_loss(a * a, b) * _lib_functional(lib).l1_loss(a, b)
     + _lib_functional(lib).mse_loss(a, b.sin(), reduction="none"), [(3, 2), (3, 2)]),
    ("smooth_l1_huber", lambda lib, a, b: _lib_functional(lib).smooth_l1_loss(a, b, beta=0.7) * a
     + _lib_functional(lib).huber_loss(a * a, b, reduction="none", delta=0.5) * b, [(3, 2), (3, 2)]),
    ("bce", lambda lib, a, b: _lib_functional(lib).binary_cross_entropy(a.sigmoid(), b.sigmoid(), reduction="none",
                                                                        weight=lib.tensor([0.5, 2.0],
                                                                                          dtype=lib.float64)) * a,
     [(3, 2), (3, 2)]),
    ("bce_with_logits", lambda lib, a, b: _lib_functional(lib).binary_cross_entropy_with_logits(
        a, b.sigmoid(), pos_weight=lib.tensor([1.5, 0.5], dtype=lib.float64)) * a.sum()
     + _lib_functional(lib).binary_cross_entropy_with_logits(a * 2, b.sigmoid(), reduction="none") * b,
     [(3, 2), (3, 2)]),
    ("softmax", lambda lib, a: lib.softmax(a, 1) * a + lib.log_softmax(a, 0) * a.sin(), [(2, 4)]),
    ("cross_entropy", lambda lib, a: _lib_functional(lib).cross_entropy(a * a, lib.tensor([0, 2, 1, 2]))
     + _lib_functional(lib).cross_entropy(a, lib.tensor([1, 1, 0, 2]), reduction="none",
                                          weight=lib.tensor([0.3, 1.0, 2.0], dtype=lib.float64)) * a[:, 0], [(4, 3)]),
    ("cross_entropy_probs", lambda lib, a: _lib_functional(lib).cross_entropy(
        a.tanh(), lib.tensor([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]], dtype=lib.float64), label_smoothing=0.1), [(2, 3)]),
    ("layer_norm", lambda lib, x, w, b: _lib_functional(lib).layer_norm(x, (2, 3), w, b, eps=1e-3) ** 2 * x,
     [(2, 2, 3), (2, 3), (2, 3)]),
    ("group_norm", lambda lib, x, w, b: _lib_functional(lib).group_norm(x, 2, w, b) ** 2 * x,
     [(2, 4, 3), (4,), (4,)]),
    ("batch_norm_train", lambda lib, x, w, b: _lib_functional(lib).batch_norm(
        x, None, None, w, b, training=True, eps=1e-3) ** 2 * x, [(3, 2, 2), (2,), (2,)]),
    ("batch_norm_eval", lambda lib, x, w, b: _lib_functional(lib).batch_norm(
        x, lib.tensor([0.1, -0.2], dtype=lib.float64), lib.tensor([0.5, 2.0], dtype=lib.float64), w, b) ** 2 * x,
     [(3, 2, 2), (2,), (2,)]),
    ("instance_norm", lambda lib, x, w, b: _lib_functional(lib).instance_norm(x, weight=w, bias=b) ** 2 * x,
     [(2, 2, 3), (2,), (2,)]),
    ("pools", lambda lib, x: (_lib_functional(lib).max_pool2d(x * x, 2, stride=1)
                              * _lib_functional(lib).avg_pool2d(x, 2, stride=1, padding=1,
                                                                count_include_pad=False)[..., 1:3, 1:3]
                              + _lib_functional(lib).adaptive_avg_pool2d(x.sin(), (2, 2)).sum()) ** 2,
     [(1, 2, 3, 3)]),
    ("pad", lambda lib, x: _lib_functional(lib).pad(x, (1, 2, 0, 1)) ** 2
     * _lib_functional(lib).pad(x, (1, 2, 0, 1), mode="reflect")
     + _lib_functional(lib).pad(x, (1, 2, 0, 1), mode="replicate") * _lib_functional(lib).pad(x, (1, 2, 0, 1),
                                                                                            mode="circular"),
     [(1, 2, 3, 3)]),
    ("embedding", lambda lib, w: _lib_functional(lib).embedding(lib.tensor([[0, 2], [2, 3]]), w, padding_idx=3) ** 2,
     [(4, 3)]),
    ("attention", lambda lib, q, k, v: _lib_functional(lib).scaled_dot_product_attention(q, k, v) ** 2
     + _lib_functional(lib).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
     [(2, 2, 3), (2, 2, 3), (2, 2, 2)]),
    ("attention_masks", lambda lib, q, k, v, m: _lib_functional(lib).scaled_dot_product_attention(
        q, k, v, attn_mask=m) * _lib_functional(lib).scaled_dot_product_attention(
        q, k, v, attn_mask=lib.tensor([[True, False, True], [False, True, True]])), [(2, 3), (3, 3), (3, 2), (2, 3)]),
    ("interpolate", lambda lib, x: _lib_functional(lib).interpolate(x * x, scale_factor=2, mode="bilinear")
     * _lib_functional(lib).interpolate(x, size=(4, 6), mode="nearest")
     + _lib_functional(lib).interpolate(x.sin(), size=(4, 6), mode="bicubic", align_corners=True), [(1, 2, 2, 3)]),
    ("pixel_shuffle_fold", lambda lib, x: _lib_functional(lib).pixel_shuffle(x * x, 2).sum()
     * _lib_functional(lib).pixel_unshuffle(x, 2) + _lib_functional(lib).fold(
        _lib_functional(lib).unfold(x, 2, padding=1) ** 2, (4, 4), 2, padding=1).sum(), [(1, 4, 4, 4)]),
    ("conv2d", lambda lib, x, w, b: _lib_functional(lib).conv2d(x, w, b, stride=2, padding=1) ** 2,
     [(1, 2, 5, 4), (2, 2, 3, 2), (2,)]),
    ("conv2d_dilated_groups", lambda lib, x, w: _lib_functional(lib).conv2d(x, w, stride=(2, 1), padding=(0, 1),
                                                                          dilation=(1, 2), groups=2) ** 2,
     [(1, 4, 4, 4), (2, 2, 2, 2)]),
    ("conv1d_unbatched", lambda lib, x, w: _lib_functional(lib).conv1d(x, w, stride=2, padding=1).tanh(),
     [(2, 6), (3, 2, 3)]),
    ("conv_transpose2d", lambda lib, x, w, b: _lib_functional(lib).conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1, groups=2) ** 2, [(1, 2, 2, 3), (2, 1, 3, 2), (2,)]),
]

# Checked by gradgradcheck only: PyTorch has no double backward for hardsigmoid, and its CELU gradient is
# computed through ELU with input_scale = 1 / alpha, which differs from the exact one in the last digits.
GRADGRAD_ONLY = [
    ("celu", lambda lib, a: _lib_functional(lib).celu(a, 1.3) * a, [(6,)]),
    ("hardsigmoid", lambda lib, a: _lib_functional(lib).hardsigmoid(a) * a, [(6,)]),
]


def _assigned(a, b):
    """``a`` with a row part overwritten by ``b`` (in place on a copy: a CopySlices node), then squared."""
    c = a * 1
    c[1, 1:] = b * b
    c[[0, 2], [2, 0]] = b
    c[2].add_(b.sum())  # in place through a view: the base takes a CopySlices history
    return c * c

# numbatorch's polygamma series is accurate to about 1e-9 (relative), PyTorch's to rounding
_RTOL = {"gamma_functions": 1e-7}


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name,fn,shapes", OPS + GRADGRAD_ONLY, ids=[o[0] for o in OPS + GRADGRAD_ONLY])
def test_gradgradcheck(name, fn, shapes):
    xs = [nt.tensor(a, requires_grad=True) for a in _arrays(shapes)]
    assert gradgradcheck(lambda *t: fn(nt, *t), xs)


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_second_derivatives_match_torch(name, fn, shapes):
    """d/dx <w, d<v, f(x)>/dx> for random v, w: the full second-order information along random directions."""
    arrays = _arrays(shapes, seed=1)
    results = []
    for lib in (nt, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *xs)
        v = lib.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)))
        firsts = lib.autograd.grad(out, xs, v, create_graph=True)
        ws = [lib.tensor(np.random.default_rng(3 + i).standard_normal(tuple(g.shape))) for i, g in enumerate(firsts)]
        total = sum((g * w).sum() for g, w in zip(firsts, ws) if g.requires_grad)
        seconds = lib.autograd.grad(total, xs, allow_unused=True, materialize_grads=True)
        results.append(([g.detach().numpy() for g in firsts], [s.numpy() for s in seconds]))
    (f1, s1), (f2, s2) = results
    for a, b in zip(f1 + s1, f2 + s2):
        np.testing.assert_allclose(a, b, rtol=_RTOL.get(name, 1e-10), atol=1e-12)


def test_cast_double_backward_matches_torch():
    """A float32 round trip (too coarse for finite differences): second derivatives equal PyTorch's."""
    a = _arrays([(4,)])[0]
    results = []
    for lib in (nt, torch):
        x = lib.tensor(a, requires_grad=True)
        y = ((x.float() ** 3).double() * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        assert g.dtype == x.dtype
        h, = lib.autograd.grad((g * g).sum(), x)
        results.append((g.detach().numpy(), h.numpy()))
    for a_, b_ in zip(*results):
        np.testing.assert_allclose(a_, b_, rtol=1e-6)


def test_custom_function_backward_is_differentiated_like_torch():
    """A Function whose backward uses differentiable ops gets a second derivative, as in PyTorch."""
    def make(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * 3 * x * x
        return Cube
    a = _arrays([(4,)])[0]
    results = []
    for lib in (nt, torch):
        x = lib.tensor(a, requires_grad=True)
        g, = lib.autograd.grad(make(lib).apply(x.sin()).sum(), x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), x)
        results.append((g.detach().numpy(), h.numpy()))
    for a_, b_ in zip(*results):
        np.testing.assert_allclose(a_, b_, rtol=1e-12)


def test_dropout_gradgradcheck():
    def fn(x):
        nt.manual_seed(0)  # the same mask at every call of the check
        return nt.nn.functional.dropout(x, 0.5) * x
    x = nt.tensor(_arrays([(8,)])[0], requires_grad=True)
    assert gradgradcheck(fn, (x,))


def test_gradgradcheck_catches_a_wrong_double_backward(monkeypatch):
    from numbatorch._ops.trigonometric import SinBackward0
    # cos(x) taken as a constant: the first derivative is right, the second is lost.
    monkeypatch.setattr(SinBackward0, "backward_graph", lambda self, grad: grad * self.inputs[0].detach().cos())
    x = nt.tensor(_arrays([(3,)])[0], requires_grad=True)
    assert nt.autograd.gradcheck(lambda t: t.sin(), (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda t: t.sin(), (x,))
    assert not gradgradcheck(lambda t: t.sin(), (x,), raise_exception=False)


def _recurrent(lib, cls, kwargs, params):
    module = getattr(lib.nn, cls)(3, 4, **kwargs).double()
    with lib.no_grad():
        for p, a in zip(module.parameters(), params):
            p.copy_(lib.tensor(a))
    return module


@pytest.mark.parametrize("cls,kwargs,lengths", [
    ("LSTM", {"num_layers": 2, "bidirectional": True}, None),
    ("LSTM", {"proj_size": 2}, None),
    ("GRU", {}, [4, 2, 1]),
    ("RNN", {"nonlinearity": "relu", "bias": False}, None),
], ids=["lstm_bidirectional", "lstm_proj", "gru_packed", "rnn_relu"])
def test_recurrent_second_derivatives_match_torch(cls, kwargs, lengths):
    rng = np.random.default_rng(5)
    params = [rng.standard_normal(tuple(p.shape)) * 0.5 for p in getattr(torch.nn, cls)(3, 4, **kwargs).parameters()]
    x0 = rng.standard_normal((4, 3, 3))
    results = []
    for lib in (nt, torch):
        module = _recurrent(lib, cls, kwargs, params)
        x = lib.tensor(x0, requires_grad=True)
        inp = x if lengths is None else lib.nn.utils.rnn.pack_padded_sequence(x, lengths)
        out, state = module(inp)
        h = state[0] if isinstance(state, tuple) else state
        out = out if lengths is None else out.data
        wanted = [x] + list(module.parameters())
        firsts = lib.autograd.grad((out ** 2).sum() + (h ** 3).sum(), wanted, create_graph=True)
        seconds = lib.autograd.grad(sum((g * g).sum() for g in firsts), wanted)
        results.append([g.detach().numpy() for g in firsts] + [s.numpy() for s in seconds])
    for a_, b_ in zip(*results):
        np.testing.assert_allclose(a_, b_, rtol=1e-9, atol=1e-12)


def test_recurrent_gradgradcheck():
    lstm = nt.nn.LSTM(2, 2).double().requires_grad_(False)
    x = nt.tensor(_arrays([(3, 1, 2)])[0], requires_grad=True)
    assert gradgradcheck(lambda t: lstm(t)[0], (x,))


@pytest.mark.parametrize("name,fn", [
    ("relu", lambda lib, t: lib.relu(t)),
    ("leaky_relu", lambda lib, t: _lib_functional(lib).leaky_relu(t, 0.2)),
    ("hardtanh", lambda lib, t: _lib_functional(lib).hardtanh(t)),
    ("softshrink", lambda lib, t: _lib_functional(lib).softshrink(t)),
    ("threshold", lambda lib, t: _lib_functional(lib).threshold(t, 0.1, 0.0)),
    ("abs", lambda lib, t: t.abs()),
    ("max_pool", lambda lib, t: _lib_functional(lib).max_pool1d(t.view(1, 1, -1), 2)),
    ("avg_pool", lambda lib, t: _lib_functional(lib).avg_pool1d(t.view(1, 1, -1), 2)),
    ("adaptive_avg_pool", lambda lib, t: _lib_functional(lib).adaptive_avg_pool1d(t.view(1, 1, -1), 3)),
    ("l1_loss", lambda lib, t: _lib_functional(lib).l1_loss(t, lib.zeros(6, dtype=t.dtype))),
], ids=lambda v: v if isinstance(v, str) else "")
def test_zero_second_derivative_reaches_the_input_like_torch(name, fn):
    """Where PyTorch's backward depends on the input with a zero derivative, what feeds the input gets a zero
    gradient (not None) from a gradient penalty alone, as optimizers see it in PyTorch."""
    arrays = _arrays([(6,), (6,)], seed=7)
    results = []
    for lib in (nt, torch):
        x, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        g, = lib.autograd.grad(fn(lib, x + b).sum(), x, create_graph=True)
        gb, = lib.autograd.grad((g * g).sum(), b, allow_unused=True)
        results.append(None if gb is None else (gb + 0).detach().numpy())  # PyTorch may give a ZeroTensor
    assert (results[0] is None) == (results[1] is None)
    np.testing.assert_array_equal(results[0], results[1])
