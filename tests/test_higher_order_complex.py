"""Second derivatives through complex tensors (``create_graph=True``) against PyTorch's: holomorphic ops through
the conjugated formula, conj, abs (whose sign z / |z| is not constant), real inputs of complex ops, polar, angle,
sgn and the FFTs (complex to complex, real to complex, one-sided to real)."""
import numpy as np
import pytest

import numbatorch as nt

torch = pytest.importorskip("torch")

CASES = [
    ("holomorphic", lambda lib, z, r: ((z * z).real * (z * z).imag + (z.exp() / (z + 3)).imag * r).sum()),
    ("conj", lambda lib, z, r: ((z / (z.conj() + 2)).real * r + (z * z.conj()).real * r).sum()),
    ("abs", lambda lib, z, r: (z.abs() * r + (z * r).abs() ** 2).sum()),
    ("real_input", lambda lib, z, r: ((z * r).abs() ** 2 + (z.exp() * r).imag).sum()),
    ("polar", lambda lib, z, r: ((lib.polar(r * r + 0.5, r.sin()) * z).imag * r).sum()
     + (lib.polar(r.exp(), r * 2).real ** 2).sum()),
    ("angle", lambda lib, z, r: (lib.angle(z * r) * r + lib.angle(z * z) ** 2).sum()),
    ("sgn", lambda lib, z, r: ((lib.sgn(z * r) * z).imag * r + lib.sgn(z * z).real ** 2).sum()),
    ("fft", lambda lib, z, r: (lib.fft.fft(z * r, n=5).abs() ** 2).sum()
     + (lib.fft.ifftn(z * z, norm="ortho").real * r).sum()),
    ("rfft_irfft", lambda lib, z, r: (lib.fft.rfft(r * r, n=5).abs() ** 2).sum() + (lib.fft.fft(r, n=2).imag ** 2).sum()
     + (lib.fft.irfft(z * z, n=6) ** 2).sum() + (lib.fft.irfft(z * r, norm="forward") * r[0]).sum()),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_complex_second_derivatives_match_torch(name, fn):
    z0, r0 = np.array([1 + 2j, -0.5 + 0.3j, 0.2 - 1.1j]), np.array([0.7, -1.2, 0.4])
    results = []
    for lib in (nt, torch):
        z, r = lib.tensor(z0, requires_grad=True), lib.tensor(r0, requires_grad=True)
        gz, gr = lib.autograd.grad(fn(lib, z, r), (z, r), create_graph=True)
        seconds = lib.autograd.grad((gz.real ** 2 + gz.imag * gr).sum() + (gr ** 3).sum(), (z, r))
        results.append([t.detach().numpy() for t in (gz, gr) + seconds])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
