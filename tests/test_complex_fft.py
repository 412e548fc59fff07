"""``numbatorch.fft`` against ``torch.fft``: values, dtypes and gradients of every transform (norms, padding and
cropping to ``n``/``s``, one-sided spectra) and the frequency/shift helpers."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
REAL = RNG.standard_normal((3, 6))
COMPLEX = REAL + 1j * RNG.standard_normal((3, 6))
HALF_SPECTRUM = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))

CASES = {
    "fft_of_real": (REAL, lambda fft, a: fft.fft(a)),
    "fft_padded_ortho": (COMPLEX, lambda fft, a: fft.fft(a, n=8, norm="ortho")),
    "ifft_cropped_dim0": (COMPLEX, lambda fft, a: fft.ifft(a, n=2, dim=0)),
    "fft2_forward": (COMPLEX, lambda fft, a: fft.fft2(a, norm="forward")),
    "fftn_s": (REAL, lambda fft, a: fft.fftn(a, s=(2, 5))),
    "ifftn": (COMPLEX, lambda fft, a: fft.ifftn(a)),
    "ifft2_s": (COMPLEX, lambda fft, a: fft.ifft2(a, s=(4, 4))),
    "rfft": (REAL, lambda fft, a: fft.rfft(a)),
    "rfft_odd_n_ortho": (REAL, lambda fft, a: fft.rfft(a, n=9, norm="ortho")),
    "rfft2": (REAL, lambda fft, a: fft.rfft2(a)),
    "rfftn_s_forward": (REAL, lambda fft, a: fft.rfftn(a, s=(4, 7), norm="forward")),
    "irfft": (HALF_SPECTRUM, lambda fft, a: fft.irfft(a)),
    "irfft_odd_n_ortho": (HALF_SPECTRUM, lambda fft, a: fft.irfft(a, n=7, norm="ortho")),
    "irfft2": (HALF_SPECTRUM, lambda fft, a: fft.irfft2(a)),
    "irfftn_s_forward": (HALF_SPECTRUM, lambda fft, a: fft.irfftn(a, s=(2, 5), norm="forward")),
    "fftshift": (REAL, lambda fft, a: fft.fftshift(a)),
    "ifftshift_dim": (COMPLEX, lambda fft, a: fft.ifftshift(a, dim=1)),
}


def _run(lib, data, fn):
    a = lib.tensor(data, requires_grad=True)
    out = fn(lib.fft, a)
    weights = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
    loss = (out.abs() * weights).sum() if out.is_complex() else (out * weights).pow(2).sum()
    loss.backward()
    return out.detach().numpy(), str(out.dtype).split(".")[-1], a.grad.numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_transform_and_gradient_match_torch(name):
    data, fn = CASES[name]
    ours, theirs = _run(nt, data, fn), _run(torch, data, fn)
    assert ours[1] == theirs[1]
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-10)
    np.testing.assert_allclose(ours[2], theirs[2], atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "int64", "complex64"])
def test_result_dtypes_follow_torch(dtype):
    data = np.arange(6).astype(dtype)
    for transform in ("fft", "ifft", "rfft", "fftn") if dtype != "complex64" else ("fft", "ifft", "irfft"):
        ours = getattr(nt.fft, transform)(nt.tensor(data))
        theirs = getattr(torch.fft, transform)(torch.tensor(data))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.resolve_conj().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n, d", [(5, 1.0), (8, 0.25)])
def test_frequency_helpers_match_torch(n, d):
    for name in ("fftfreq", "rfftfreq"):
        ours, theirs = getattr(nt.fft, name)(n, d), getattr(torch.fft, name)(n, d)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    assert nt.fft.fftfreq(n, dtype=nt.float64).dtype is nt.float64


def test_errors_like_torch():
    with pytest.raises(RuntimeError, match='Invalid normalization mode: "bad"'):
        nt.fft.fft(nt.ones(4), norm="bad")
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        nt.fft.fft(nt.ones(4), n=0)
    with pytest.raises(RuntimeError, match="rfft expects a real input tensor, but got ComplexFloat"):
        nt.fft.rfft(nt.ones(4, dtype=nt.complex64))
