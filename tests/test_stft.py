"""stft/istft against PyTorch: values, dtypes, shapes, errors and gradients (input and window)."""
import warnings

import numpy as np
import pytest

import numbatorch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal(100)
_BATCH = _RNG.standard_normal((2, 100))
_XC = _RNG.standard_normal(100) + 1j * _RNG.standard_normal(100)


def _stft(lib, signal=_X, **kwargs):
    return lib.stft(lib.tensor(signal), 16, return_complex=True, **kwargs)


def _hann(lib, n=16):
    return lib.hann_window(n, dtype=lib.float64)


_CASES = [
    lambda lib: _stft(lib),
    lambda lib: lib.stft(lib.tensor(_X).float(), 16, return_complex=True),
    lambda lib: lib.stft(lib.tensor(_X), 16, return_complex=False),
    lambda lib: _stft(lib, _BATCH, hop_length=5),
    lambda lib: _stft(lib, win_length=10, window=_hann(lib, 10)),
    lambda lib: _stft(lib, win_length=10),
    lambda lib: _stft(lib, win_length=9, window=_hann(lib, 9), center=False, align_to_window=True),
    lambda lib: _stft(lib, normalized=True, pad_mode="constant"),
    lambda lib: _stft(lib, onesided=False),
    lambda lib: _stft(lib, _XC),
    lambda lib: lib.stft(lib.tensor(_XC), 16, return_complex=False),
    lambda lib: lib.tensor(_X).stft(16, window=_hann(lib), return_complex=True),
    lambda lib: lib.stft(lib.tensor(_X), 100, center=False, return_complex=True),
    lambda lib: lib.istft(_stft(lib), 16),
    lambda lib: lib.istft(_stft(lib, window=_hann(lib)), 16, window=_hann(lib)),
    lambda lib: lib.istft(_stft(lib), 16, length=90),
    lambda lib: lib.istft(_stft(lib), 16, length=120),
    lambda lib: lib.istft(_stft(lib), 16, center=False),
    lambda lib: lib.istft(_stft(lib, onesided=False), 16),
    lambda lib: lib.istft(_stft(lib, onesided=False), 16, return_complex=True),
    lambda lib: lib.istft(_stft(lib, _XC), 16, return_complex=True),
    lambda lib: lib.istft(_stft(lib, _BATCH, win_length=12, window=_hann(lib, 12), normalized=True), 16,
                          win_length=12, window=_hann(lib, 12), normalized=True),
    lambda lib: _stft(lib).istft(16, window=lib.ones(16, dtype=lib.float64)),
    lambda lib: lib.istft(_stft(lib)[:, :3], 16),
]

_ERRORS = [
    lambda lib: lib.stft(lib.tensor(_X), 16),
    lambda lib: _stft(lib, _BATCH[None]),
    lambda lib: _stft(lib, win_length=20),
    lambda lib: _stft(lib, hop_length=0),
    lambda lib: _stft(lib, window=lib.ones(5, dtype=lib.float64)),
    lambda lib: lib.stft(lib.tensor(_X), 200, center=False, return_complex=True),
    lambda lib: _stft(lib, align_to_window=True),
    lambda lib: _stft(lib, _XC, onesided=True),
    lambda lib: lib.stft(lib.tensor(_X).long(), 16, return_complex=True),
    lambda lib: lib.istft(_stft(lib), 16, window=lib.zeros(16, dtype=lib.float64)),
    lambda lib: lib.istft(_stft(lib).real, 16),
    lambda lib: lib.istft(_stft(lib), 16, return_complex=True),
    lambda lib: lib.istft(_stft(lib), 16, onesided=False),
    lambda lib: lib.istft(_stft(lib)[None, None], 16),
    lambda lib: lib.istft(_stft(lib), 16, hop_length=20),
    lambda lib: lib.istft(_stft(lib), 16, window=lib.ones(5, dtype=lib.float64)),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", range(len(_CASES)))
def test_values_match_torch(case):
    got, want = _CASES[case](numbatorch), _CASES[case](torch)
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", range(len(_ERRORS)))
def test_errors_match_torch(case):
    messages = []
    for lib in (numbatorch, torch):
        with pytest.raises(RuntimeError) as info:
            _ERRORS[case](lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_warnings_as_torch():
    # PyTorch warns once per process (TORCH_WARN_ONCE), so its messages are checked by their text here.
    with pytest.warns(UserWarning, match="A window was not provided"):
        _stft(numbatorch)
    with pytest.warns(UserWarning, match="stft with return_complex=False is deprecated"):
        numbatorch.stft(numbatorch.tensor(_X), 16, window=_hann(numbatorch), return_complex=False)
    with pytest.warns(UserWarning, match="Result is being padded with zeros in the tail"):
        numbatorch.istft(_stft(numbatorch, window=_hann(numbatorch)), 16, window=_hann(numbatorch), length=120)


_WEIGHTS = _RNG.standard_normal((9, 21))


def _gradients(lib):
    x = lib.tensor(_BATCH, requires_grad=True)
    window = lib.tensor(np.hanning(14)[1:-1], requires_grad=True)
    spec = lib.stft(x, 16, hop_length=5, win_length=12, window=window, return_complex=True)
    weights = lib.tensor(_WEIGHTS)
    back = lib.istft(spec * weights, 16, hop_length=5, win_length=12, window=window, length=95)
    ((spec.abs() ** 2 * weights).sum() + (back * lib.tensor(np.arange(95.0))).sum()).backward()
    return x.grad.numpy(), window.grad.numpy()


def test_gradients_match_torch():
    for got, want in zip(_gradients(numbatorch), _gradients(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_gradcheck_through_stft_and_istft():
    x = numbatorch.tensor(_X[:40], requires_grad=True)
    window = numbatorch.tensor(np.hanning(10)[1:-1] + 0.5, requires_grad=True)

    def round_trip(signal, win):
        spec = numbatorch.stft(signal, 12, hop_length=3, win_length=8, window=win, return_complex=True)
        return numbatorch.view_as_real(spec).sum(-1), numbatorch.istft(spec * 1.5, 12, hop_length=3, win_length=8,
                                                                         window=win, length=40)
    assert numbatorch.autograd.gradcheck(round_trip, (x, window))
