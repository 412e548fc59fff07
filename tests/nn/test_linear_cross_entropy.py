"""``F.linear_cross_entropy`` and ``nn.LinearCrossEntropyLoss`` against PyTorch (values and gradients)."""
import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum", "label_smoothing": 0.1}, {"reduction": "none"},
                                    {"ignore_index": 2}])
def test_linear_cross_entropy_matches_pytorch(kwargs):
    x, w, b = _RNG.standard_normal((6, 4)), _RNG.standard_normal((5, 4)), _RNG.standard_normal(5)
    target = _RNG.integers(0, 5, 6)
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.linear_cross_entropy(
        x, w, lib.tensor(target), linear_bias=b, **kwargs), x, w, b, names=False, tol=1e-10)


def test_k_dimensional_linear_cross_entropy_matches_pytorch():
    x, w, b = _RNG.standard_normal((2, 4)), _RNG.standard_normal((5, 3, 4)), _RNG.standard_normal((5, 3))
    target, weight = _RNG.integers(0, 5, (2, 3)), np.abs(_RNG.standard_normal(5))
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.linear_cross_entropy(
        x, w, lib.tensor(target), linear_bias=b, weight=lib.tensor(weight),
        options=lib.nn.LinearCrossEntropyOptions()), x, w, b, names=False, tol=1e-10)


@pytest.mark.parametrize("out_features, bias", [((), False), ((3,), True)])
def test_linear_cross_entropy_loss_module_matches_pytorch(out_features, bias):
    x = _RNG.standard_normal((2, 4))
    target = _RNG.integers(0, 5, (2,) + out_features)
    results = []
    for lib in (nt, torch):
        layer = lib.nn.LinearCrossEntropyLoss(4, 5, out_features=out_features, bias=bias, dtype=lib.float64)
        with lib.no_grad():
            for p in layer.parameters():
                p.copy_(lib.tensor(np.linspace(-1, 1, p.numel()).reshape(tuple(p.shape))))
        loss = layer(lib.tensor(x), lib.tensor(target))
        loss.backward()
        results.append([loss.detach().numpy(), layer.linear.weight.grad.numpy(), repr(layer)])
        assert [n for n, _ in layer.named_parameters()] == (["linear.weight", "linear.bias"] if bias else
                                                            ["linear.weight"])
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)
    assert results[0][2] == results[1][2]


def test_options_have_pytorchs_fields_and_defaults():
    import dataclasses
    assert [(f.name, f.default) for f in dataclasses.fields(nt.nn.LinearCrossEntropyOptions)] == \
        [(f.name, f.default) for f in dataclasses.fields(torch.nn.LinearCrossEntropyOptions)]
