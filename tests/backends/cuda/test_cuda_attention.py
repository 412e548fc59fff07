"""CUDA attention softmax kernels equal their CPU twins (weights, output, q/k/v and mask gradients)."""
import numpy as np
import pytest

from numbatorch.backends.cpu import attention as cpu
from numbatorch.backends.cuda import attention as gpu

from ._host import assert_close, device

rng = np.random.default_rng(2)


def _inputs(B, L, S, E, Ev):
    return (rng.standard_normal(B + (L, E)).astype(np.float32), rng.standard_normal(B + (S, E)).astype(np.float32),
            rng.standard_normal(B + (S, Ev)).astype(np.float32))


def _check(q, k, v, tol=1e-5, **kw):
    dev_kw = {name: device(a) if isinstance(a, np.ndarray) else a for name, a in kw.items()}
    out, weights, ws = gpu.scaled_dot_product_attention_forward(device(q), device(k), device(v), **dev_kw)
    eout, eweights, ews = cpu.scaled_dot_product_attention_forward(q, k, v, **kw)
    assert_close(weights, eweights, rtol=tol, atol=tol)
    assert_close(out, eout, rtol=tol, atol=tol)
    if kw.get("average_heads"):
        assert_close(ws.head_mean, ews.head_mean, rtol=tol, atol=tol)
    g = rng.standard_normal(eout.shape).astype(np.float32)
    got = gpu.scaled_dot_product_attention_backward(ws, device(g))
    want = cpu.scaled_dot_product_attention_backward(ews, g)
    for a, e in zip(got, want):
        assert (a is None) == (e is None)
        if e is not None:
            assert_close(a, e, rtol=1e-4, atol=1e-4)


def test_plain_and_scaled():
    q, k, v = _inputs((2, 2), 3, 5, 4, 3)
    _check(q, k, v)
    _check(q, k, v, scale=0.3)


def test_float_mask_broadcast_and_causal():
    q, k, v = _inputs((2,), 4, 4, 3, 2)
    mask = rng.standard_normal((1, 4, 4)).astype(np.float32)
    _check(q, k, v, attn_mask=mask, is_causal=True)


@pytest.mark.parametrize("nan_rows", [False, True])
def test_bool_mask_with_fully_masked_row(nan_rows):
    q, k, v = _inputs((2,), 3, 5, 4, 4)
    mask = rng.random((2, 3, 5)) > 0.4
    mask[1, 2] = False
    if nan_rows:  # NaN rows propagate NaN through the products: compare the weights alone
        w = gpu.scaled_dot_product_attention_forward(device(q), device(k), device(v), attn_mask=device(mask),
                                                     nan_for_fully_masked=True)[1]
        ew = cpu.scaled_dot_product_attention_forward(q, k, v, attn_mask=mask, nan_for_fully_masked=True)[1]
        assert_close(w, ew)
    else:
        _check(q, k, v, attn_mask=mask)


def test_dropout_mask():
    q, k, v = _inputs((2,), 4, 6, 3, 2)
    keep = rng.random((2, 4, 6)) > 0.3
    _check(q, k, v, dropout_p=0.3, dropout_mask=keep)


def test_head_average():
    # MultiheadAttention's averaged weights: the mean over the last batch dim (the heads) after dropout
    q, k, v = _inputs((2, 3), 4, 6, 3, 2)
    keep = rng.random((2, 3, 4, 6)) > 0.3
    _check(q, k, v, dropout_p=0.3, dropout_mask=keep, average_heads=3)


def test_no_features():
    # E = 0: every score is 0 (no ZeroDivisionError from the default scale)
    _check(*_inputs((2,), 3, 4, 0, 5))


def test_contiguous_weights_after_dropout():
    # MultiheadAttention's per-head weights: after dropout, laid out C-contiguous
    q, k, v = _inputs((2, 3), 4, 6, 3, 2)
    keep = rng.random((2, 3, 4, 6)) > 0.3
    _check(q, k, v, dropout_p=0.3, dropout_mask=keep, contiguous_weights=True)
    assert cpu.scaled_dot_product_attention_forward(q, k, v, dropout_p=0.3, dropout_mask=keep,
                                                    contiguous_weights=True)[1].flags.c_contiguous
