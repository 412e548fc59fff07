"""Training batch norm of bfloat16/float16 input with parameters of the same dtype (or none): PyTorch keeps the
batch statistics in that dtype (and updates bfloat16 running statistics in bfloat16 arithmetic), which decides the
output's and the gradients' rounding. Compared with PyTorch to within one unit of the last place."""
import numpy as np
import pytest

import numbatorch

pytest.importorskip("ml_dtypes")
rng = np.random.default_rng(0)

SHAPES = [(4, 3, 5, 5), (8, 2, 300), (16, 4)]


def _ulp_close(ours, theirs):
    """Equal to within one unit in the last place of the half-precision dtype (the kernels' float32 arithmetic
    may land on the other side of a rounding boundary)."""
    expected = theirs.detach().float().numpy()
    # float32 keeps 23 fraction bits, bfloat16 7 and float16 10
    ulp = np.spacing(np.abs(expected)) * (2.0 ** 16 if str(theirs.dtype).endswith("bfloat16") else 2.0 ** 13)
    assert np.all(np.abs(ours.detach().float().numpy() - expected) <= ulp)


def _run(framework, x, params, dtype, momentum, affine, with_running):
    d = getattr(framework, dtype)
    inp = framework.tensor(x).to(d).requires_grad_()
    w, b, rm, rv = (framework.tensor(p).to(d) for p in params)
    w.requires_grad_()
    b.requires_grad_()
    y = framework.nn.functional.batch_norm(inp, rm if with_running else None, rv if with_running else None,
                                           w if affine else None, b if affine else None, training=True,
                                           momentum=momentum)
    y.float().square().sum().backward()
    return y, inp.grad, (w.grad, b.grad) if affine else (), (rm, rv) if with_running else ()


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine,with_running", [(True, True), (False, False)])
def test_half_batch_norm_statistics_match_torch(shape, dtype, affine, with_running):
    torch = pytest.importorskip("torch")
    x = (rng.standard_normal(shape) * 3 + 1.7).astype(np.float32)
    c = shape[1]
    params = [rng.standard_normal(c), rng.standard_normal(c), rng.standard_normal(c), rng.random(c) + 0.5]
    ours = _run(numbatorch, x, params, dtype, 0.1, affine, with_running)
    theirs = _run(torch, x, params, dtype, 0.1, affine, with_running)
    _ulp_close(ours[0], theirs[0])
    for a, b in zip(ours[3], theirs[3]):        # running statistics: exactly PyTorch's
        np.testing.assert_array_equal(a.float().numpy(), b.float().numpy())
    for a, b in zip((ours[1],) + ours[2], (theirs[1],) + theirs[2]):
        expected = b.float().numpy()
        np.testing.assert_allclose(a.float().numpy(), expected, rtol=2e-2, atol=2e-2 * np.abs(expected).max())


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (2, 5, 40)])
def test_half_instance_norm_statistics_match_torch(shape, dtype):
    torch = pytest.importorskip("torch")
    x = (rng.standard_normal(shape) * 3 + 1.7).astype(np.float32)
    results = []
    for framework in (numbatorch, torch):
        layer = getattr(framework.nn, f"InstanceNorm{len(shape) - 2}d")(shape[1], affine=True,
                                                                         track_running_stats=True)
        layer = layer.to(getattr(framework, dtype))
        inp = framework.tensor(x).to(getattr(framework, dtype)).requires_grad_()
        y = layer(inp)
        y.float().square().sum().backward()
        results.append((y, layer.running_mean, layer.running_var, inp.grad))
    ours, theirs = results
    _ulp_close(ours[0], theirs[0])
    for a, b in zip(ours[1:3], theirs[1:3]):
        np.testing.assert_array_equal(a.float().numpy(), b.float().numpy())
    expected = theirs[3].float().numpy()
    np.testing.assert_allclose(ours[3].float().numpy(), expected, rtol=2e-2, atol=2e-2 * np.abs(expected).max())


@pytest.mark.parametrize("input_dtype,param_dtype", [("float16", "bfloat16"), ("bfloat16", "float16"),
                                                     ("bfloat16", "float32"), ("float32", "float16")])
def test_half_batch_norm_mixed_dtypes_like_torch(input_dtype, param_dtype):
    torch = pytest.importorskip("torch")
    outcomes = []
    for framework in (numbatorch, torch):
        stats = [framework.zeros(3, dtype=getattr(framework, param_dtype)),
                 framework.ones(3, dtype=getattr(framework, param_dtype))]
        try:
            framework.nn.functional.batch_norm(framework.ones(4, 3, 5).to(getattr(framework, input_dtype)), *stats,
                                               training=True)
            outcomes.append("ok")
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("dtype,param_dtype", [("bfloat16", "bfloat16"), ("bfloat16", "float32"),
                                               ("float16", "float16")])
def test_native_batch_norm_saved_statistics_match_torch(dtype, param_dtype):
    torch = pytest.importorskip("torch")
    x = (rng.standard_normal((4, 3, 5)) * 3 + 1).astype(np.float32)
    saved = []
    for framework in (numbatorch, torch):
        p = getattr(framework, param_dtype)
        out = framework.native_batch_norm(framework.tensor(x).to(getattr(framework, dtype)), framework.ones(3, dtype=p),
                                          framework.zeros(3, dtype=p), framework.zeros(3, dtype=p),
                                          framework.ones(3, dtype=p), True, 0.1, 1e-5)
        saved.append([(str(t.dtype).split(".")[1], t.float().numpy()) for t in out[1:]])
    for (ours_dtype, ours), (theirs_dtype, theirs) in zip(*saved):
        assert ours_dtype == theirs_dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_native_batch_norm_of_empty_input_raises_like_torch():
    torch = pytest.importorskip("torch")
    messages = []
    for framework in (numbatorch, torch):
        with pytest.raises(RuntimeError) as caught:
            framework.native_batch_norm(framework.zeros(0, 3), None, None, None, None, True, 0.1, 1e-5)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("input_dtype,weight_dtype,stats_dtype", [
    ("float32", None, "float64"), ("float64", None, "float32"), ("float32", "float32", "float64"),
    ("float64", "float32", None), ("float32", "float64", None)])
@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_dtypes_like_torch(input_dtype, weight_dtype, stats_dtype, use_input_stats):
    """PyTorch's instance norm checks the weight's dtype against the input's, not the running statistics'."""
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 3, 5)).astype(np.float32)
    outcomes = []
    for framework in (numbatorch, torch):
        d = getattr(framework, input_dtype)
        weight = None if weight_dtype is None else framework.ones(3, dtype=getattr(framework, weight_dtype))
        sd = getattr(framework, stats_dtype) if stats_dtype else d
        stats = (framework.zeros(3, dtype=sd) + 0.5, framework.ones(3, dtype=sd) * 2)
        try:
            y = framework.nn.functional.instance_norm(framework.tensor(x).to(d), *stats, weight=weight,
                                                     use_input_stats=use_input_stats)
            outcomes.append((str(y.dtype).split(".")[1], y.double().numpy(), stats[0].double().numpy()))
        except RuntimeError as e:
            outcomes.append(str(e))
    if isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
    else:
        assert outcomes[0][0] == outcomes[1][0]
        for a, b in zip(outcomes[0][1:], outcomes[1][1:]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
