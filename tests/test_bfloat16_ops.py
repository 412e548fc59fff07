"""bfloat16 (numpy kind "V", not "f") through the ops that branch on floating dtypes (``_dtype.is_floating``):
statistics, rounding, classification, float-only binary ops, clamp/lerp, norms, scatter reductions; against
torch's bfloat16 results."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")
pytest.importorskip("ml_dtypes")

_X = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32) * 3
_X[0, 0] = np.nan
_Y = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)

CASES = {
    "var": lambda m, x, y: x[1:].var(),
    "std_dim": lambda m, x, y: x[1:].std(1),
    "var_mean": lambda m, x, y: m.var_mean(x[1:], 0)[0],
    "floor": lambda m, x, y: x.floor(),
    "round": lambda m, x, y: x.round(),
    "round_decimals": lambda m, x, y: x.round(decimals=1),
    "frac": lambda m, x, y: x.frac(),
    "nan_to_num": lambda m, x, y: (x * m.tensor(np.inf)).nan_to_num(),
    "sign": lambda m, x, y: x.sign(),
    "isnan": lambda m, x, y: x.isnan(),
    "isfinite": lambda m, x, y: (x * m.tensor(np.inf)).isfinite(),
    "clamp": lambda m, x, y: x.clamp(-1, 1),
    "lerp": lambda m, x, y: m.lerp(x, y, 0.3),
    "atan2": lambda m, x, y: m.atan2(x, y),
    "fmod": lambda m, x, y: m.fmod(x, y),
    "div_trunc": lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
    "hypot": lambda m, x, y: m.hypot(x, y),
    "vector_norm": lambda m, x, y: m.linalg.vector_norm(x[1:]),
    "logsumexp": lambda m, x, y: m.logsumexp(x[1:], 1),
    "median": lambda m, x, y: x.median(1).values,
    "nanmedian": lambda m, x, y: x.nanmedian(1).values,
    "scatter_amax": lambda m, x, y: x.scatter_reduce(0, m.tensor([[0, 1, 0, 1, 0, 1]]), y[:1], "amax",
                                                     include_self=False),
    "lgamma": lambda m, x, y: x.abs().lgamma(),
    "digamma": lambda m, x, y: (x.abs() + 0.1).digamma(),
    "polygamma": lambda m, x, y: m.polygamma(1, x.abs() + 0.1),
    "cumprod": lambda m, x, y: x[1:].cumprod(1),
    "cumprod_float32": lambda m, x, y: x[1:].cumprod(1, dtype=m.float32),
    "cummax": lambda m, x, y: x.cummax(1).values,
    "mode": lambda m, x, y: x[1:].round().mode(1).values,
    "histc": lambda m, x, y: x[1:].histc(4),
    "unfold": lambda m, x, y: m.nn.functional.unfold(x[1:].reshape(1, 1, 3, 6), 2),
    "scatter_mean": lambda m, x, y: x.scatter_reduce(0, m.tensor([[0, 1, 0, 1, 0, 1]]), y[:1], "mean"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_like_torch(name):
    ours = CASES[name](nt, nt.tensor(_X).bfloat16(), nt.tensor(_Y).bfloat16())
    theirs = CASES[name](torch, torch.tensor(_X).bfloat16(), torch.tensor(_Y).bfloat16())
    assert str(ours.dtype) == str(theirs.dtype).replace("torch", "numbatorch")
    if theirs.dtype == torch.bool:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    else:  # one bfloat16 rounding step
        np.testing.assert_allclose(ours.float().numpy(), theirs.float().numpy(), rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("dtype", ["bfloat16", "complex64"])
def test_saved_tensor_keeps_requires_grad_like_torch(tmp_path, dtype):
    ours = nt.ones(3, dtype=getattr(nt, dtype), requires_grad=True)
    nt.save(ours, tmp_path / "ours.pt")
    theirs = torch.ones(3, dtype=getattr(torch, dtype), requires_grad=True)
    torch.save(theirs, tmp_path / "theirs.pt")
    for path in ("ours.pt", "theirs.pt"):
        assert nt.load(tmp_path / path).requires_grad == torch.load(tmp_path / path).requires_grad


def test_quantile_refuses_bfloat16_like_torch():
    with pytest.raises(RuntimeError) as expected:
        torch.quantile(torch.tensor(_X).bfloat16(), 0.5)
    with pytest.raises(RuntimeError) as ours:
        nt.quantile(nt.tensor(_X).bfloat16(), 0.5)
    assert str(ours.value) == str(expected.value)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", ["histogram", "cdist", "pdist", "ctc_loss"])
def test_float_or_double_kernels_refuse_reduced_precision_like_torch(name, dtype):
    def call(m):
        x = m.tensor(_Y[:, :4]).to(getattr(m, dtype))
        if name == "histogram":
            return m.histogram(x.flatten(), 3)
        if name == "cdist":
            return m.cdist(x, x)
        if name == "pdist":
            return m.nn.functional.pdist(x)
        return m.nn.functional.ctc_loss(x.reshape(4, 1, 4).log_softmax(2), m.tensor([[1, 2]]), m.tensor([4]),
                                        m.tensor([2]))
    with pytest.raises(NotImplementedError) as expected:
        call(torch)
    with pytest.raises(NotImplementedError) as ours:
        call(nt)
    assert str(ours.value) == str(expected.value)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32", "float64"])
def test_bincount_weights_dtype_like_torch(dtype):
    ours = nt.bincount(nt.tensor([0, 1, 1]), weights=nt.tensor(_Y[0, :3]).to(getattr(nt, dtype)))
    theirs = torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor(_Y[0, :3]).to(getattr(torch, dtype)))
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", ["inv", "slogdet", "eig", "eigvals"])
def test_linalg_refuses_half_precision_like_torch(name, dtype):
    def call(m):
        return getattr(m.linalg, name)(m.eye(3).to(getattr(m, dtype)))
    with pytest.raises((RuntimeError, NotImplementedError)) as expected:
        call(torch)
    with pytest.raises(expected.type) as ours:
        call(nt)
    assert str(ours.value) == str(expected.value)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("ord", ["fro", 1, -np.inf])
def test_matrix_norm_of_half_precision_like_torch(dtype, ord):
    ours = nt.linalg.matrix_norm(nt.tensor(_Y).to(getattr(nt, dtype)), ord)
    theirs = torch.linalg.matrix_norm(torch.tensor(_Y).to(getattr(torch, dtype)), ord)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours.float().numpy(), theirs.float().numpy(), rtol=1e-2)
