"""LU factorisation, unpacking and solves against PyTorch: factors, pivots, info, values and gradients."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 4, 4))
B = RNG.standard_normal((2, 4, 3))


def _outputs(value):
    return tuple(value) if isinstance(value, tuple) else (value,)


def _compare(fn, *arrays, grad_of=(0,)):
    results = []
    for lib in (torch, nt):
        inputs = [lib.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
        outs = _outputs(fn(lib)(*inputs))
        float_outs = [o for o in outs if o.is_floating_point() and o.numel()]
        loss = sum((o * lib.tensor(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)))).sum() for o in float_outs
                   if o.requires_grad)
        if not isinstance(loss, int):
            loss.backward()
        results.append(([o.detach().numpy() for o in outs], [inputs[i].grad for i in grad_of]))
    (t_outs, t_grads), (o_outs, o_grads) = results
    for o, t in zip(o_outs, t_outs):
        assert o.shape == t.shape and o.dtype == t.dtype
        np.testing.assert_allclose(o, t, rtol=1e-9, atol=1e-12)
    for o, t in zip(o_grads, t_grads):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-8, atol=1e-10)


CASES = [
    ("lu_factor", lambda m: m.linalg.lu_factor, (A,)),
    ("lu_factor_ex", lambda m: m.linalg.lu_factor_ex, (A,)),
    ("lu", lambda m: m.linalg.lu, (A,)),
    ("lu_rectangular_values", lambda m: lambda a: m.linalg.lu(a.detach()), (RNG.standard_normal((3, 5)),)),
    ("lu_unpack", lambda m: lambda a: m.lu_unpack(*m.linalg.lu_factor(a)), (A,)),
    ("lu_solve", lambda m: lambda a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b), (A, B)),
    ("lu_solve_adjoint", lambda m: lambda a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b, adjoint=True), (A, B)),
    ("lu_solve_right", lambda m: lambda a, b: m.linalg.lu_solve(*m.linalg.lu_factor(a), b.mT, left=False), (A, B)),
    ("torch_lu", lambda m: lambda a: m.lu(a, get_infos=True), (A,)),
    ("torch_lu_solve", lambda m: lambda a, b: b.lu_solve(*a.lu()), (A, B)),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    _compare(fn, *arrays, grad_of=tuple(range(len(arrays))) if "values" not in name else ())


@pytest.mark.parametrize("name", ["lu", "lu_solve"])
def test_gradcheck(name):
    a = nt.tensor(A[0], requires_grad=True)
    b = nt.tensor(B[0], requires_grad=True)
    if name == "lu":
        assert gradcheck(lambda x: nt.linalg.lu(x)[1:], (a,))
    else:
        assert gradcheck(lambda x, y: nt.linalg.lu_solve(*nt.linalg.lu_factor(x), y), (a, b))


def test_singular_matrices_report_info():
    singular = np.stack([np.eye(3), np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])])
    ours = nt.linalg.lu_factor_ex(nt.tensor(singular))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(singular))
    assert ours.info.tolist() == theirs.info.tolist()
    np.testing.assert_allclose(ours.LU.numpy(), theirs.LU.numpy(), atol=1e-12)
    with pytest.raises(RuntimeError) as expected:
        torch.linalg.lu_factor_ex(torch.tensor(singular), check_errors=True)
    with pytest.raises(nt.linalg.LinAlgError) as got:
        nt.linalg.lu_factor_ex(nt.tensor(singular), check_errors=True)
    assert str(got.value) == str(expected.value)
