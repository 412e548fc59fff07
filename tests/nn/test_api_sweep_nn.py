"""Remaining public names of ``torch.nn`` and ``torch.nn.functional`` from the API sweep (issue #12), against
PyTorch: ``nn.grad``, ``conv_tbc``, ``nn.factory_kwargs``, ``nn.attention``, ``nn.common_types``."""
import re

import numpy as np
import pytest

import numbatorch as nt
from tests.helpers import compare_with_torch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
# (dims, input shape, weight shape, stride, padding, dilation, groups)
_CONVS = [(1, (2, 4, 9), (6, 2, 3), 2, 1, 1, 2), (2, (2, 3, 7, 6), (4, 3, 3, 2), 1, (1, 0), 2, 1),
          (3, (1, 2, 5, 4, 4), (2, 2, 2, 2, 2), (1, 2, 1), 1, 1, 1)]


@pytest.mark.parametrize("dims, in_shape, w_shape, stride, padding, dilation, groups", _CONVS)
def test_nn_grad_matches_pytorch(dims, in_shape, w_shape, stride, padding, dilation, groups):
    x, w = _RNG.standard_normal(in_shape), _RNG.standard_normal(w_shape)
    conv = getattr(torch.nn.functional, f"conv{dims}d")
    out_shape = conv(torch.tensor(x), torch.tensor(w), None, stride, padding, dilation, groups).shape
    g = _RNG.standard_normal(tuple(out_shape))
    args = (stride, padding, dilation, groups)
    expected_input = getattr(torch.nn.grad, f"conv{dims}d_input")(in_shape, torch.tensor(w), torch.tensor(g), *args)
    expected_weight = getattr(torch.nn.grad, f"conv{dims}d_weight")(torch.tensor(x), w_shape, torch.tensor(g), *args)
    ours_input = getattr(nt.nn.grad, f"conv{dims}d_input")(in_shape, nt.tensor(w), nt.tensor(g), *args)
    ours_weight = getattr(nt.nn.grad, f"conv{dims}d_weight")(nt.tensor(x), w_shape, nt.tensor(g), *args)
    np.testing.assert_allclose(ours_input.numpy(), expected_input.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours_weight.numpy(), expected_weight.numpy(), rtol=1e-10, atol=1e-12)
    assert not ours_input.requires_grad and not ours_weight.requires_grad


@pytest.mark.parametrize("pad", [0, 2])
def test_conv_tbc_matches_pytorch(pad):
    x, w, b = _RNG.standard_normal((7, 2, 3)), _RNG.standard_normal((3, 3, 4)), _RNG.standard_normal(4)
    compare_with_torch(lambda lib, x, w, b: lib.conv_tbc(x, w, b, pad), x, w, b, names=False, tol=1e-10)
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.conv_tbc(x, w, b, pad), x, w, b, names=False,
                       tol=1e-10)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_conv_tbc_shape_errors_match_pytorch(which):
    arrays = [np.zeros((7, 2, 3)), np.zeros((3, 3, 4)), np.zeros(4)]
    arrays[which] = arrays[which][None]
    with pytest.raises(RuntimeError) as expected:
        torch.conv_tbc(*map(torch.tensor, arrays))
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        nt.conv_tbc(*map(nt.tensor, arrays))


@pytest.mark.parametrize("kwargs", [None, {}, {"dtype": 1, "device": 2}, {"factory_kwargs": {"dtype": 1}, "device": 2},
                                    {"bias": True}, {"dtype": 1, "factory_kwargs": {"dtype": 2}}])
def test_factory_kwargs_matches_pytorch(kwargs):
    try:
        expected = torch.nn.factory_kwargs(kwargs)
    except TypeError as error:
        with pytest.raises(TypeError, match=re.escape(str(error))):
            nt.nn.factory_kwargs(kwargs)
    else:
        assert nt.nn.factory_kwargs(kwargs) == expected


def test_sdpa_kernel_and_backends_as_pytorch():
    from numbatorch.nn.attention import SDPBackend, sdpa_kernel
    assert {k: int(v) for k, v in SDPBackend.__members__.items()} == \
        {k: int(v) for k, v in torch.nn.attention.SDPBackend.__members__.items()}
    q = nt.tensor(_RNG.standard_normal((1, 2, 3, 4)))
    with sdpa_kernel([SDPBackend.MATH, SDPBackend.FLASH_ATTENTION]):
        inside = nt.nn.functional.scaled_dot_product_attention(q, q, q)
    np.testing.assert_array_equal(inside.numpy(), nt.nn.functional.scaled_dot_product_attention(q, q, q).numpy())
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass


def test_common_types_and_grid_sample_modes_as_pytorch():
    import torch.nn.common_types as theirs

    import numbatorch.nn.common_types as ours
    assert {n for n in dir(theirs) if n.startswith("_") and n.endswith("_t")} == \
        {n for n in dir(ours) if n.startswith("_") and n.endswith("_t")}
    F, tF = nt.nn.functional, torch.nn.functional
    assert F.GRID_SAMPLE_INTERPOLATION_MODES == tF.GRID_SAMPLE_INTERPOLATION_MODES
    assert F.GRID_SAMPLE_PADDING_MODES == tF.GRID_SAMPLE_PADDING_MODES
