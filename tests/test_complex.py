"""complex64/complex128 tensors against PyTorch: creation, promotion, printing, the complex helpers, arithmetic
and their gradients (PyTorch's convention: ``z.grad = dL/dx + i dL/dy`` for a real loss)."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import _tensor_str

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _complex(*shape, dtype=np.complex128):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)


def _same(ours, theirs, tol=1e-6):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().resolve_conj().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("data", [[1 + 2j, 3.5 - 1j], 2j, [[1, 2j], [0.5, 3]], [True, 1j]])
def test_creation_infers_complex_like_torch(data):
    _same(nt.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("name", ["complex64", "complex128", "cfloat", "cdouble"])
def test_factories_and_dtype_attributes(name):
    ours, theirs = getattr(nt, name), getattr(torch, name)
    _same(nt.zeros(2, 3, dtype=ours), torch.zeros(2, 3, dtype=theirs))
    _same(nt.ones(2, dtype=ours) * (1 + 1j), torch.ones(2, dtype=theirs) * (1 + 1j))
    assert (ours.is_complex, ours.is_floating_point, ours.itemsize) == \
        (theirs.is_complex, theirs.is_floating_point, theirs.itemsize)
    assert str(ours.to_real()).split(".")[-1] == str(theirs.to_real()).split(".")[-1]
    assert nt.zeros(1, dtype=ours).type() == torch.zeros(1, dtype=theirs).type()
    assert nt.zeros(1, dtype=ours).is_complex() and not nt.zeros(1, dtype=ours).is_floating_point()


_PROMOTION_DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64",
                     "complex64", "complex128"]


@pytest.mark.parametrize("a", _PROMOTION_DTYPES)
@pytest.mark.parametrize("b", _PROMOTION_DTYPES)
def test_promote_types_like_torch(a, b):
    ours = nt.promote_types(getattr(nt, a), getattr(nt, b))
    assert str(ours).split(".")[-1] == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[-1]


@pytest.mark.parametrize("dtype", ["bool", "int32", "float16", "float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("other", [1j, 2.5, 3, "zero_dim_complex128", "zero_dim_float64", "complex64"])
def test_result_type_with_scalars_and_zero_dim_tensors(dtype, other):
    def operand(lib):
        if other == "complex64":
            return lib.ones(2, dtype=lib.complex64)
        if isinstance(other, str):
            return lib.tensor(1.0, dtype=getattr(lib, other.split("_")[-1]))
        return other

    ours = nt.result_type(nt.ones(2, dtype=getattr(nt, dtype)), operand(nt))
    theirs = torch.result_type(torch.ones(2, dtype=getattr(torch, dtype)), operand(torch))
    assert str(ours).split(".")[-1] == str(theirs).split(".")[-1]


@pytest.mark.parametrize("data", [[1 + 2j, 3.5 - 1j], [[0.25 + 1e-5j, -3j], [1e5, 2]], 2j, [1 + 1j] * 2000])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_repr_like_torch(monkeypatch, data, dtype):
    monkeypatch.setattr(_tensor_str, "DTYPE_MODULE", "torch")
    assert repr(nt.tensor(data, dtype=getattr(nt, dtype))) == repr(torch.tensor(data, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("fn", [
    lambda lib, z, w: z + w, lambda lib, z, w: z * w, lambda lib, z, w: z / w, lambda lib, z, w: z - 2.5 * w,
    lambda lib, z, w: z @ w.T, lambda lib, z, w: z.sum(0), lambda lib, z, w: z.mean(), lambda lib, z, w: z.abs(),
    lambda lib, z, w: lib.angle(z), lambda lib, z, w: z.conj(), lambda lib, z, w: lib.conj_physical(z),
    lambda lib, z, w: z.real, lambda lib, z, w: z.imag, lambda lib, z, w: lib.view_as_real(z),
    lambda lib, z, w: z.exp(), lambda lib, z, w: z * lib.ones(3, dtype=lib.float32),
    lambda lib, z, w: z.to(lib.complex64) + lib.ones(3, dtype=lib.float64),
    lambda lib, z, w: z.mH, lambda lib, z, w: z.adjoint(), lambda lib, z, w: z.H, lambda lib, z, w: (z @ w.mT).trace(),
    lambda lib, z, w: z.var(1), lambda lib, z, w: z.std(), lambda lib, z, w: lib.linalg.vector_norm(z, dim=0),
    lambda lib, z, w: lib.vdot(z[0], w[0]), lambda lib, z, w: z.sgn(),
])
def test_ops_match_torch(fn):
    z, w = _complex(2, 3), _complex(2, 3)
    _same(fn(nt, nt.tensor(z), nt.tensor(w)), fn(torch, torch.tensor(z), torch.tensor(w)))


def test_real_imag_and_view_as_real_share_memory():
    z = nt.tensor(_complex(2, 2))
    z.real.mul_(0)
    nt.view_as_real(z)[..., 1].add_(1)
    assert not z.real.numpy().any()
    np.testing.assert_allclose(z.imag.numpy(), nt.view_as_real(z)[..., 1].numpy())


def test_random_factories_make_complex_tensors_like_torch():
    for name in ("rand", "randn"):
        ours, theirs = getattr(nt, name)(4000, dtype=nt.cfloat), getattr(torch, name)(4000, dtype=torch.cfloat)
        assert ours.dtype is nt.complex64
        # same distribution: real and imaginary parts uniform on [0, 1) (rand), each N(0, 1/2) (randn)
        for part in ("real", "imag"):
            np.testing.assert_allclose(getattr(ours, part).var().item(), getattr(theirs, part).var().item(),
                                       rtol=0.15)
            np.testing.assert_allclose(getattr(ours, part).mean().item(), getattr(theirs, part).mean().item(),
                                       atol=0.05)


def test_view_as_complex_round_trip_and_errors():
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    _same(nt.view_as_complex(nt.tensor(x)), torch.view_as_complex(torch.tensor(x)))
    for bad in (RNG.standard_normal((3, 3)), RNG.standard_normal((2, 3)).T, np.ones((2, 2), np.int64)):
        with pytest.raises(RuntimeError) as ours:
            nt.view_as_complex(nt.tensor(bad))
        with pytest.raises(RuntimeError) as theirs:
            torch.view_as_complex(torch.tensor(bad))
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(RuntimeError):
        nt.view_as_real(nt.ones(2))


def test_complex_and_polar_match_torch():
    a, b = RNG.standard_normal(3), RNG.standard_normal(3)
    _same(nt.complex(nt.tensor(a), nt.tensor(b)), torch.complex(torch.tensor(a), torch.tensor(b)))
    _same(nt.polar(nt.tensor(np.abs(a)), nt.tensor(b)), torch.polar(torch.tensor(np.abs(a)), torch.tensor(b)))
    with pytest.raises(RuntimeError):
        nt.complex(nt.tensor(a), nt.tensor(b, dtype=nt.float32))


_LOSSES = {
    "abs_of_product": lambda lib, z, w: (z * w.conj()).abs().sum(),
    "quotient": lambda lib, z, w: lib.view_as_real(z / w).pow(2).sum(),
    "matmul_imag": lambda lib, z, w: (z @ w.T).imag.sum(),
    "angle": lambda lib, z, w: (lib.angle(z) * lib.angle(w)).sum(),
    "exp_real_of_sum": lambda lib, z, w: ((z + 2 * w).real ** 2).sum() + (z - w).imag.sum(),
    "mean_abs": lambda lib, z, w: (z * 3 - w).mean().abs(),
    # holomorphic ops written for real numbers: the engine conjugates around their formulas
    "exp_log_sqrt": lambda lib, z, w: (z.exp() * w.log() + (z * w).sqrt()).abs().sum(),
    "trig": lambda lib, z, w: lib.view_as_real(z.sin() / w.cos() + z.tanh() - w.sinh()).sum(),
    "powers": lambda lib, z, w: ((z ** 2) * (w ** z) + z.reciprocal() + w.rsqrt()).real.sum(),
    "products": lambda lib, z, w: (lib.outer(z[0], w[1]).prod() + lib.einsum("ij,ij->", z, w)
                                   + lib.vdot(z[0], w[0])).abs(),
    "cumsum_index_cat": lambda lib, z, w: lib.cat([z.cumsum(1)[:, 1:], w[:, :2] * 2j]).imag.pow(2).sum(),
    "sgn": lambda lib, z, w: (z.sgn() * w).real.sum() + lib.sgn(w).imag.pow(2).sum(),
    "statistics_and_adjoints": lambda lib, z, w: (z.std() + lib.linalg.vector_norm(w, ord=1) + z.var(0).sum()
                                                  + (z @ w.mH).trace().abs() + z.adjoint().imag.sum()),
}


@pytest.mark.parametrize("name", sorted(_LOSSES))
def test_gradients_match_torch(name):
    z, w = _complex(2, 3), _complex(2, 3)
    zs, ws = nt.tensor(z, requires_grad=True), nt.tensor(w, requires_grad=True)
    tz, tw = torch.tensor(z, requires_grad=True), torch.tensor(w, requires_grad=True)
    _LOSSES[name](nt, zs, ws).backward()
    _LOSSES[name](torch, tz, tw).backward()
    _same(zs.grad, tz.grad, 1e-10)
    _same(ws.grad, tw.grad, 1e-10)


def test_gradients_of_complex_polar_and_view_as_complex_reach_real_inputs():
    a, b = RNG.standard_normal(3), RNG.standard_normal(3)
    x = RNG.standard_normal((3, 2))

    def run(lib):
        ta, tb, tx = (lib.tensor(v, requires_grad=True) for v in (a, b, x))
        z = lib.complex(ta, tb) * lib.polar(ta.abs(), tb) + lib.view_as_complex(tx)
        (z * z.conj() + z).real.sum().backward()
        return ta.grad, tb.grad, tx.grad

    for ours, theirs in zip(run(nt), run(torch)):
        _same(ours, theirs, 1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_linalg_eig_and_eigvals_match_torch(dtype):
    a = RNG.standard_normal((2, 4, 4))
    if dtype == "complex128":
        a = a + 1j * RNG.standard_normal((2, 4, 4))
    L, V = nt.linalg.eig(nt.tensor(a, dtype=getattr(nt, dtype)))
    tL = torch.linalg.eigvals(torch.tensor(a, dtype=getattr(torch, dtype)))
    assert str(L.dtype).split(".")[-1] == str(tL.dtype).split(".")[-1]
    A = a.astype(L.numpy().dtype)
    np.testing.assert_allclose(A @ V.numpy(), V.numpy() * L.numpy()[..., None, :], atol=1e-4)
    # Eigenvalue order is LAPACK's in both; compare as sorted sets to stay independent of it.
    key = lambda v: np.sort_complex(np.round(v, 4))  # noqa: E731
    np.testing.assert_allclose(key(nt.linalg.eigvals(nt.tensor(a, dtype=getattr(nt, dtype))).numpy()),
                               key(tL.numpy()), atol=1e-3)


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_linalg_eig_gradient_matches_torch(dtype):
    a = RNG.standard_normal((3, 3))
    if dtype == "complex128":
        a = a + 1j * RNG.standard_normal((3, 3))

    def run(lib):
        A = lib.tensor(a, requires_grad=True)
        L, V = lib.linalg.eig(A)
        # |V| does not depend on each eigenvector's arbitrary phase, so the loss is well defined.
        (L.real.sum() + (L.imag ** 2).sum() + V.abs().pow(3).sum() + lib.linalg.eigvals(A).abs().sum()).backward()
        return A.grad

    _same(run(nt), run(torch), 1e-8)


def test_linalg_eig_phase_dependent_loss_raises_like_torch():
    a = RNG.standard_normal((3, 3))
    for lib in (nt, torch):
        A = lib.tensor(a, requires_grad=True)
        _, V = lib.linalg.eig(A)
        with pytest.raises(RuntimeError, match="specified up to multiplication by"):
            V.imag.sum().backward()


def test_complex_and_bfloat16_tensors_round_trip_through_torch_files(tmp_path):
    z, x = _complex(2, 3), RNG.standard_normal(4)
    nt.save({"c64": nt.tensor(z, dtype=nt.complex64), "c128": nt.tensor(z), "bf16": nt.tensor(x).bfloat16()},
            tmp_path / "ours.pt")
    theirs = torch.load(tmp_path / "ours.pt")
    torch.save({"c64": torch.tensor(z, dtype=torch.complex64), "c128": torch.tensor(z),
                "bf16": torch.tensor(x).bfloat16()}, tmp_path / "theirs.pt")
    ours = nt.load(tmp_path / "theirs.pt")
    for key in ("c64", "c128"):
        _same(ours[key], theirs[key], 0)
    assert ours["bf16"].dtype is nt.bfloat16 and theirs["bf16"].dtype is torch.bfloat16
    np.testing.assert_array_equal(ours["bf16"].float().numpy(), theirs["bf16"].float().numpy())
