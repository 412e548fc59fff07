"""Scaled dot-product attention kernels against torch.nn.functional.scaled_dot_product_attention."""
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from numbatorch.backends.cpu import _parallel, attention as cpu_attention  # noqa: E402

TOL = {torch.float64: 1e-10, torch.float32: 2e-5}


def _reference(q, k, v, mask, is_causal, scale, dropout_p, keep):
    """torch's own SDPA, or (with dropout, whose randomness torch keeps) the same math by hand."""
    if not dropout_p:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal, scale=scale)
    scores = q @ k.transpose(-1, -2) * (scale if scale is not None else q.shape[-1] ** -0.5)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    valid = (scores > float("-inf")).any(-1, keepdim=True)  # fully masked rows give 0, as torch's SDPA
    attn = torch.softmax(torch.where(valid, scores, 0.0), -1) * valid
    return (attn * keep / (1 - dropout_p)) @ v


def _compare(q_shape, k_shape, v_shape, mask=None, is_causal=False, scale=None, dropout_p=0.0,
             dtype=torch.float64, keep_shape=None):
    q = torch.randn(q_shape, dtype=dtype, requires_grad=True)
    k = torch.randn(k_shape, dtype=dtype, requires_grad=True)
    v = torch.randn(v_shape, dtype=dtype, requires_grad=True)
    if mask is not None and mask.dtype != torch.bool:
        mask = mask.to(dtype).requires_grad_()
    keep = None
    if dropout_p:
        batch = torch.broadcast_shapes(q_shape[:-2], k_shape[:-2], v_shape[:-2])
        attn_shape = batch + (q_shape[-2], k_shape[-2])
        keep = torch.rand(keep_shape or attn_shape) > dropout_p
    out = _reference(q, k, v, mask, is_causal, scale, dropout_p, keep)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()

    npy = lambda t: None if t is None else t.detach().numpy()  # noqa: E731
    o, weights, ws = cpu_attention.scaled_dot_product_attention_forward(
        npy(q), npy(k), npy(v), npy(mask), dropout_p=dropout_p, dropout_mask=npy(keep),
        is_causal=is_causal, scale=scale)
    gq, gk, gv, gmask = cpu_attention.scaled_dot_product_attention_backward(ws, npy(grad_out))
    assert weights.shape == tuple(out.shape[:-1]) + (k_shape[-2],)
    tol = TOL[dtype]
    for name, ours, ref in [("output", o, out), ("grad_q", gq, q.grad), ("grad_k", gk, k.grad),
                            ("grad_v", gv, v.grad)]:
        ref = npy(ref)
        assert ours.dtype == ref.dtype and ours.shape == ref.shape, name
        assert not np.isnan(ours).any(), name
        np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol, err_msg=name)
    if mask is not None and mask.dtype != torch.bool:
        np.testing.assert_allclose(gmask, npy(mask.grad), rtol=tol, atol=tol, err_msg="grad_mask")
    else:
        assert gmask is None
    return weights


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_plain_and_broadcast_batches(dtype):
    _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), dtype=dtype)
    _compare((1, 4), (1, 4), (1, 3), dtype=dtype)  # L = S = 1, no batch dims
    _compare((2, 2, 3, 4), (2, 1, 5, 4), (1, 5, 6), scale=0.3, dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_bool_mask_with_fully_masked_row(dtype):
    mask = torch.rand(3, 5) > 0.4
    mask[:, 0] = True
    mask[1] = False  # torch's CPU SDPA gives 0 output and 0 gradients for this row
    weights = _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), mask=mask, dtype=dtype)
    assert not weights[:, 1].any()
    np.testing.assert_allclose(weights[:, [0, 2]].sum(-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_float_mask_gets_gradient(dtype):
    mask = torch.randn(2, 1, 3, 5)
    mask[0, 0, 1] = float("-inf")  # fully masked row
    mask[1, 0, :, 2] = float("-inf")
    _compare((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6), mask=mask, dtype=dtype)


@pytest.mark.parametrize("mask_shape", [(3, 1), (1, 5), (2, 1, 1, 5), (1, 2, 3, 5), (2, 2, 3, 5)])
@pytest.mark.parametrize("dtype", [torch.float64, torch.bool])
def test_masks_broadcast_over_any_dims(mask_shape, dtype):
    # the kernel reads the mask flat with per-dim steps: broadcast (step 0), copied and full masks
    mask = torch.randn(mask_shape) if dtype == torch.float64 else torch.rand(mask_shape) > 0.3
    if dtype == torch.bool and mask_shape[-1] > 1:
        mask[..., 0] = True
    _compare((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6), mask=mask)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_causal(dtype):
    _compare((2, 7, 4), (2, 5, 4), (2, 5, 6), is_causal=True, dtype=dtype)  # L > S
    _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), is_causal=True, dtype=dtype)  # L < S


def test_dropout_mask_from_caller():
    mask = torch.rand(3, 5) > 0.5
    mask[1] = False
    _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), mask=mask, dropout_p=0.3)
    _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), dropout_p=0.5, dtype=torch.float32)


@pytest.mark.parametrize("keep_shape", [(2, 1, 5), (2, 3, 1), (1, 5)])
def test_dropout_mask_broadcast(keep_shape):
    # the kernels read the keep-mask key-major, with step 0 over broadcast queries, keys or batches
    _compare((2, 3, 4), (2, 5, 4), (2, 5, 6), dropout_p=0.4, keep_shape=keep_shape)


def test_dropout_mask_as_transposed_view():
    # what nn.functional passes: drawn key-major, (B, S, L), and handed over as its (B, L, S) view
    keep = (torch.rand(2, 5, 3) > 0.4).transpose(1, 2)
    q, k, v = (torch.randn(2, n, 4, dtype=torch.float64) for n in (3, 5, 5))
    out, _, _ = cpu_attention.scaled_dot_product_attention_forward(
        q.numpy(), k.numpy(), v.numpy(), dropout_p=0.4, dropout_mask=keep.numpy())
    np.testing.assert_allclose(out, _reference(q, k, v, None, False, None, 0.4, keep).numpy(), rtol=1e-10,
                               atol=1e-10)


def test_reused_score_arrays_never_overwrite_live_results():
    # score-sized arrays (here 1.3 MB) are reused once nothing holds them: weights, workspaces and gradients
    # still held must keep their values through later calls
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((8, 200, 4)).astype(np.float32) for _ in range(3))
    _, weights, _ = cpu_attention.scaled_dot_product_attention_forward(q, k, v)
    expected = weights.copy()
    out, _, ws = cpu_attention.scaled_dot_product_attention_forward(q, k, v, dropout_p=0.5,
                                                                    dropout_mask=rng.random((8, 200, 200)) > 0.5)
    expected_grads = [g.copy() for g in cpu_attention.scaled_dot_product_attention_backward(ws, out)[:3]]
    for _ in range(3):
        cpu_attention.scaled_dot_product_attention_forward(2 * q, k, v)
        cpu_attention.scaled_dot_product_attention_backward(ws, 3 * out)
    np.testing.assert_array_equal(weights, expected)
    for got, want in zip(cpu_attention.scaled_dot_product_attention_backward(ws, out)[:3], expected_grads):
        np.testing.assert_array_equal(got, want)


def test_parallel_kernels(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    mask = torch.rand(1, 6, 7) > 0.3
    mask[0, 2] = False
    _compare((3, 6, 4), (3, 7, 4), (3, 7, 5), mask=mask, dropout_p=0.2)
    _compare((3, 6, 4), (3, 7, 4), (3, 7, 5), is_causal=True, dtype=torch.float32)


@pytest.mark.parametrize("mask_shape, keep_shape", [((3, 1, 7), (2, 1, 6, 7)), ((6, 7), (2, 3, 1, 7))])
def test_split_over_heads_matches_one_pass(monkeypatch, mask_shape, keep_shape):
    # per slice of heads (on the worker threads, or cache-sized on one), the softmax kernels read the masks from
    # the slice's first head on
    monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(cpu_attention, "SLICE_BYTES", 1)
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal(shape) for shape in ((2, 3, 6, 4), (2, 3, 7, 4), (1, 3, 7, 5)))
    mask = rng.standard_normal(mask_shape)
    keep = rng.random(keep_shape) > 0.3
    grad_out = rng.standard_normal((2, 3, 6, 5))

    def run():
        out, weights, ws = cpu_attention.scaled_dot_product_attention_forward(
            q, k, v, mask, dropout_p=0.3, dropout_mask=keep, average_heads=3)
        # the head average is the mean over heads of the weights after dropout
        np.testing.assert_allclose(ws.head_mean, torch.from_numpy(ws.attn_drop).reshape(2, 3, 6, 7).mean(1),
                                   rtol=1e-12, atol=1e-12)
        return [a.copy() for a in (out, weights, ws.head_mean,
                                   *cpu_attention.scaled_dot_product_attention_backward(ws, grad_out))]

    splits = []
    over_stack = cpu_attention._over_stack
    monkeypatch.setattr(cpu_attention, "_over_stack", lambda *args: splits.append(over_stack(*args)) or splits[-1])
    by_slices = run()
    assert splits[:1] == [True]
    _compare((2, 3, 6, 4), (2, 3, 7, 4), (1, 3, 7, 5), mask=torch.from_numpy(mask), dropout_p=0.3,
             keep_shape=keep_shape)
    monkeypatch.setattr(cpu_attention, "_forward_by_slices", lambda *args: False)
    monkeypatch.setattr(cpu_attention, "_backward_by_slices", lambda *args: False)
    for got, want in zip(by_slices, run()):
        np.testing.assert_array_equal(got, want)


def test_nan_for_fully_masked_rows_like_multihead_attention():
    q, k, v = np.random.randn(2, 3, 4), np.random.randn(2, 5, 4), np.random.randn(2, 5, 4)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    out, weights, _ = cpu_attention.scaled_dot_product_attention_forward(
        q, k, v, attn_mask=mask, nan_for_fully_masked=True)
    ref_weights = torch.softmax(torch.from_numpy(q @ k.transpose(0, 2, 1) / 2.0).masked_fill(
        ~torch.from_numpy(mask), float("-inf")), -1).numpy()  # NaN in row 1, as torch's MHA
    np.testing.assert_allclose(weights, ref_weights, rtol=1e-12, atol=1e-12)
    assert np.isnan(out[:, 1]).all() and not np.isnan(out[:, [0, 2]]).any()


_NO_JIT_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
import torch
import test_cpu_attention as t
torch.manual_seed(0)
mask = torch.rand(3, 5) > 0.5
mask[1] = False
t._compare((2, 3, 4), (2, 5, 4), (2, 5, 6), mask=mask, dropout_p=0.3)
t._compare((2, 3, 4), (2, 5, 4), (2, 5, 6), is_causal=True, dtype=torch.float32)
t._parallel.MIN_ELEMENTS = 0
t._compare((2, 3, 4), (2, 5, 4), (2, 5, 6), mask=torch.randn(3, 5))
print("ok")
"""


def test_runs_without_jit():
    """NUMBA_DISABLE_JIT=1 (debugging) runs the same kernels as plain Python."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = _NO_JIT_SCRIPT.format(root=root, tests=os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


@pytest.mark.parametrize("split", [False, True])
def test_heads_as_views_of_one_projection(monkeypatch, split):
    # MultiheadAttention's q, k, v: (N, H, L, head_dim) views of one (L, N, 3E) projection, whose N and H axes do
    # not merge. The products read them in place, the gradients come back as views of one (L, N, 3E) array in
    # their places (so chunk's backward takes it whole), and the bits equal those from contiguous copies.
    if split:
        monkeypatch.setattr(_parallel, "MIN_ELEMENTS", 0)
        monkeypatch.setattr(cpu_attention, "SLICE_BYTES", 1)
    rng = np.random.default_rng(2)
    L, N, H, D = 7, 3, 2, 4
    projection = rng.standard_normal((L, N, 3 * H * D))
    q, k, v = (projection[..., i * H * D:(i + 1) * H * D].reshape(L, N, H, D).transpose(1, 2, 0, 3)
               for i in range(3))
    grad_out = rng.standard_normal((N, H, L, D))

    def run(q, k, v, heads):
        out, weights, ws = cpu_attention.scaled_dot_product_attention_forward(q, k, v, average_heads=heads)
        return out, ws.head_mean, cpu_attention.scaled_dot_product_attention_backward(ws, grad_out)[:3]

    for heads in (0, H):
        out, head_mean, grads = run(q, k, v, heads)
        base = grads[0].base
        assert base.shape == projection.shape and all(g.base is base for g in grads)
        for g, i in zip(grads, range(3)):
            np.testing.assert_array_equal(g, base[..., i * H * D:(i + 1) * H * D].reshape(L, N, H, D)
                                          .transpose(1, 2, 0, 3))
        copies = run(*(np.ascontiguousarray(a) for a in (q, k, v)), heads)
        np.testing.assert_array_equal(out, copies[0])
        np.testing.assert_array_equal(head_mean, copies[1])
        for got, want in zip(grads, copies[2]):
            np.testing.assert_array_equal(got, want)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    (F.scaled_dot_product_attention(tq, tk, tv) * torch.from_numpy(grad_out)).sum().backward()
    np.testing.assert_allclose(out, F.scaled_dot_product_attention(tq, tk, tv).detach().numpy(), rtol=1e-10,
                               atol=1e-10)
    for got, t in zip(grads, (tq, tk, tv)):
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-10, atol=1e-10)
