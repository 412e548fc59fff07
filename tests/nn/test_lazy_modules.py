"""Lazy modules infer their size from the first input, then behave as (and become) the layer they stand for."""
import numpy as np
import pytest

import numbatorch as nt
from numbatorch import nn
from numbatorch.nn.parameter import UninitializedParameter

torch = pytest.importorskip("torch")

CASES = [
    ("LazyConv1d", (4, 3), dict(padding=1), (2, 5, 7)),
    ("LazyConv2d", (4, 3), dict(stride=2, bias=False), (2, 3, 8, 8)),
    ("LazyConv2d", (4, 3), dict(), (3, 6, 6)),
    ("LazyConv3d", (2, 2), dict(), (1, 2, 4, 4, 4)),
    ("LazyConvTranspose1d", (3, 2), dict(stride=2), (2, 4, 5)),
    ("LazyConvTranspose2d", (3, 3), dict(output_padding=1, stride=2), (1, 2, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), dict(), (1, 3, 3, 3, 3)),
    ("LazyBatchNorm1d", (), dict(), (4, 6)),
    ("LazyBatchNorm2d", (), dict(momentum=0.3), (4, 3, 5, 5)),
    ("LazyBatchNorm3d", (), dict(affine=False), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), dict(affine=True), (2, 3, 6)),
    ("LazyInstanceNorm2d", (), dict(), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), dict(track_running_stats=True), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES)
def test_lazy_module_matches_torch(name, args, kwargs, shape):
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    expected_params = sorted(n for n, _ in theirs.named_parameters())
    assert sorted(n for n, _ in ours.named_parameters()) == expected_params
    assert all(isinstance(p, UninitializedParameter) for p in ours.parameters())
    data = np.random.default_rng(0).standard_normal(shape)
    calls = []
    ours.register_forward_hook(lambda module, inputs, output: calls.append(output.shape))
    out = ours(nt.tensor(data, dtype=nt.float32))  # builds the layer, with parameters of the default dtype
    theirs(torch.tensor(data))  # materialise PyTorch's too, then copy its initial weights into ours
    assert type(ours).__name__ == type(theirs).__name__ and calls == [out.shape]
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert tuple(ours.state_dict()[key].shape) == tuple(value.shape)
    ours = ours.double()
    ours.load_state_dict({k: nt.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours(nt.tensor(data)).detach().numpy(), theirs(torch.tensor(data)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    assert repr(ours) == repr(theirs)


def test_lazy_parameters_take_the_default_dtype():
    layer = nn.LazyConv1d(2, 1)
    layer(nt.ones(1, 3, 4))
    assert layer.weight.dtype is nt.float32 and layer.in_channels == 3
    layer = nn.LazyBatchNorm1d(dtype=nt.float64)
    layer(nt.ones(2, 5, dtype=nt.float64))
    assert layer.weight.dtype is nt.float64 and layer.num_features == 5
