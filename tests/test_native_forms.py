"""``torch.native_*`` normalisation/dropout, ``torch.convolution`` and ``torch.ctc_loss`` against PyTorch."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch.autograd import gradcheck, gradgradcheck
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((2, 3, 4, 5))


@pytest.mark.parametrize("affine", [False, True])
def test_native_layer_norm_matches_pytorch(affine):
    w, b = _RNG.standard_normal((4, 5)), _RNG.standard_normal((4, 5))
    if affine:
        compare_with_torch(lambda lib, x, w, b: lib.native_layer_norm(x, (4, 5), w, b, 1e-5), _X, w, b, names=False,
                           tol=1e-10)
    else:
        compare_with_torch(lambda lib, x: lib.native_layer_norm(x, (5,), None, None, 1e-3), _X, names=False,
                           tol=1e-10)


def test_native_group_norm_matches_pytorch():
    x, w, b = _RNG.standard_normal((2, 6, 4)), _RNG.standard_normal(6), _RNG.standard_normal(6)
    compare_with_torch(lambda lib, x, w, b: lib.native_group_norm(x, w, b, 2, 6, 4, 3, 1e-5), x, w, b, names=False,
                       tol=1e-10)


@pytest.mark.parametrize("training, running", [(True, True), (True, False), (False, True)])
def test_native_batch_norm_matches_pytorch(training, running):
    w, b = _RNG.standard_normal(3), _RNG.standard_normal(3)
    stats = {}

    def program(lib, x, w, b):
        mean, var = (lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)) if running else (None, None)
        result = lib.native_batch_norm(x, w, b, mean, var, training, 0.1, 1e-5)
        stats[lib.__name__] = [None if s is None else s.numpy().copy() for s in (mean, var)]
        return result
    compare_with_torch(program, _X, w, b, names=False, tol=1e-10)
    for ours, theirs in zip(stats["numbatorch"], stats["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10) if running else None


def test_native_dropout_mask_and_scaling_as_pytorch():
    x = nt.tensor(_X)
    out, mask = nt.native_dropout(x, 0.25, True)
    assert mask.dtype == nt.bool and 0.5 < mask.float().mean().item() < 0.95
    np.testing.assert_allclose(out.numpy(), np.where(mask.numpy(), _X / 0.75, 0.0))
    for train in (False,):
        out, mask = nt.native_dropout(x, 0.25, train)
        tout, tmask = torch.native_dropout(torch.tensor(_X), 0.25, train)
        np.testing.assert_array_equal(out.numpy(), tout.numpy())
        np.testing.assert_array_equal(mask.numpy(), tmask.numpy())
    out, mask = nt.native_dropout(x, 1.0, True)
    tout, tmask = torch.native_dropout(torch.tensor(_X), 1.0, True)
    np.testing.assert_array_equal(mask.numpy(), tmask.numpy())
    np.testing.assert_array_equal(out.numpy(), tout.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_native_dropout_kept_values_are_pytorchs(dtype):
    """The kept value is one at ``p`` = 0.999 too: 1 / (1 - p) in float64, rounded to the dtype (1000 in float32,
    where dividing by the float32 ``1 - p`` gives 999.99994)."""
    kept = []
    for lib in (nt, torch):
        out, mask = lib.native_dropout(lib.ones(20000, dtype=getattr(lib, dtype)), 0.999, True)
        values = out.double().numpy()
        assert (values[~mask.numpy()] == 0).all()
        kept.append(np.unique(values[mask.numpy()]).tolist())
    assert kept[0] == kept[1] and len(kept[0]) == 1


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("p, train", [(0.25, True), (0.25, None), (0.25, False), (1.0, True), (0.0, True)])
def test_native_dropout_node_and_gradient_are_pytorchs(dtype, p, train):
    """One NativeDropoutBackward0 node whose gradient is the upstream one where the mask kept, times PyTorch's scale
    (1 unless ``train`` is True); the masks differ, so the distinct gradient values on each side are compared."""
    seen = []
    for lib in (nt, torch):
        x = lib.ones(2000, dtype=getattr(lib, dtype), requires_grad=True)
        out, mask = lib.native_dropout(x, p, train)
        out.backward(lib.full((2000,), 0.7, dtype=getattr(lib, dtype)))
        grad, kept = x.grad.double().numpy(), mask.numpy()
        seen.append((out.grad_fn.name(), len(out.grad_fn.next_functions), mask.requires_grad,
                     np.unique(grad[kept]).tolist(), np.unique(grad[~kept]).tolist()))
    assert seen[0] == seen[1]


def test_native_dropout_gradcheck_and_gradgradcheck():
    def dropout(x):
        nt.manual_seed(0)  # the same mask at every evaluation
        return nt.native_dropout(x, 0.4, True)[0]
    x = nt.tensor(_X, requires_grad=True)
    assert gradcheck(dropout, (x,)) and gradgradcheck(dropout, (x,))


@pytest.mark.parametrize("lib", [nt, torch], ids=["numbatorch", "torch"])
def test_native_dropout_mask_changed_in_place_fails_backward(lib):
    x = lib.ones(3, requires_grad=True)
    out, mask = lib.native_dropout(x, 0.5, True)
    mask.logical_not_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


@pytest.mark.parametrize("transposed", [False, True])
def test_convolution_matches_pytorch(transposed):
    w = _RNG.standard_normal((3, 2, 2, 3)) if transposed else _RNG.standard_normal((4, 3, 2, 3))
    b = _RNG.standard_normal(2 if transposed else 4)
    output_padding = [1, 0] if transposed else [0, 0]
    compare_with_torch(lambda lib, x, w, b: lib.convolution(x, w, b, [2, 1], [1, 0], [1, 1], transposed,
                                                            output_padding, 1), _X, w, b, names=False, tol=1e-10)


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_torch_ctc_loss_takes_the_reduction_as_an_int(reduction):
    log_probs = np.log(_RNG.dirichlet(np.ones(5), size=(6, 2)))
    targets, input_lengths, target_lengths = [[1, 2, 2], [3, 4, 0]], [6, 5], [3, 2]

    def program(lib, lp):
        return lib.ctc_loss(lp, lib.tensor(targets), lib.tensor(input_lengths), lib.tensor(target_lengths), 0,
                            reduction)
    compare_with_torch(program, log_probs, names=False, tol=1e-9)
    with pytest.raises(ValueError, match="3 is not a valid value for reduction"):
        nt.ctc_loss(nt.tensor(log_probs), nt.tensor(targets), nt.tensor(input_lengths), nt.tensor(target_lengths),
                    0, 3)
