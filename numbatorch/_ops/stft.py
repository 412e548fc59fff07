"""Short-time Fourier transform and its inverse (``stft``, ``istft``), composed of recorded ops (padding, framing
with ``unfold``, the FFTs, overlap-add with ``fold``), so their gradients come from those ops' nodes.

Checks, defaults and messages follow PyTorch's ``torch.stft``/``torch.istft``: the signal is centred by padding
``n_fft // 2`` on both sides, a window shorter than ``n_fft`` is zero-padded on both sides to ``n_fft``, and
``istft`` divides the overlap-added frames by the overlap-added squared window.
"""
import warnings

from .. import _dtype as dt
from .._creation import ones, zeros
from .._tensor import tensor_method
from .complex_ops import view_as_real
from .joining import cat
from .spectral import fft, ifft, irfft, rfft

__all__ = ["stft", "istft"]


def _flag(value):
    return "None" if value is None else str(int(bool(value)))


def _window_repr(window):
    if window is None:
        return "None"
    return f"{dt.LEGACY_NAME[window.dtype]}{{[{', '.join(map(str, window.shape))}]}}"


def _call_repr(op, type_name, input, n_fft, hop_length, win_length, window, **flags):
    """PyTorch's rendering of the call in its stft/istft check messages (``flags`` in the order given)."""
    rest = "".join(f", {name}={value}" for name, value in flags.items())
    return (f"{op}({type_name}[{', '.join(map(str, input.shape))}], n_fft={n_fft}, hop_length={hop_length}, "
            f"win_length={win_length}, window={_window_repr(window)}{rest})")


def _padded_window(window, win_length, n_fft, dtype):
    """The window zero-padded (centred) to ``n_fft``; None stands for the rectangular window of ``n_fft``."""
    if window is None:
        if win_length == n_fft:
            return None
        window = ones(win_length, dtype=dtype)
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return cat([zeros(left, dtype=window.dtype), window, zeros(n_fft - win_length - left, dtype=window.dtype)])


def _pad_last(input, before, after, mode):
    # Why local: numbatorch.nn is imported lazily, after the op modules.
    from ..nn.functional import pad
    dims = input.dim()
    extended = input.reshape([1] * (3 - dims) + list(input.shape))
    padded = pad(extended, [before, after], mode)
    return padded.reshape(padded.shape[-dims:])


@tensor_method()
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform: the FFT of windowed frames, shape ``(*, freq, frames)``."""
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        input = _pad_last(input, n_fft // 2, n_fft // 2, pad_mode)
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    complex_input = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None:
        if not complex_input:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    prefix = _call_repr("stft", dt.LEGACY_NAME[input.dtype], input, n_fft, hop_length, win_length, window,
                        normalized=_flag(normalized), onesided=_flag(onesided),
                        return_complex=_flag(return_complex), align_to_window=_flag(align_to_window)) + " : "
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(prefix + "expected a tensor of floating point or complex values")
    if input.dim() not in (1, 2):
        raise RuntimeError(prefix + "expected a 1D or 2D tensor")
    length = input.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(prefix + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(prefix + f"expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError(prefix + f"expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError(prefix + f"expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    onesided = not complex_input if onesided is None else onesided
    if onesided and complex_input:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if align_to_window and win_length < n_fft:
        # Frames start where the (shorter) window starts rather than where the n_fft-long frame does.
        left = (n_fft - win_length) // 2
        input = _pad_last(input, left, n_fft - win_length - left, "constant")
    frames = input.unfold(-1, n_fft, hop_length)
    full_window = _padded_window(window, win_length, n_fft, input.real.dtype if input.is_complex() else input.dtype)
    if full_window is not None:
        frames = frames * full_window
    norm = "ortho" if normalized else "backward"
    spectrum = (rfft(frames, dim=-1, norm=norm) if onesided else fft(frames, dim=-1, norm=norm)).transpose(-1, -2)
    if return_complex:
        return spectrum
    warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                  "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                  "still call torch.view_as_real on the complex output to recover the old return format.",
                  UserWarning, stacklevel=2)
    return view_as_real(spectrum)


def _overlap_add(frames, hop_length, length):
    """Sum of ``frames`` (``(batch, n_frames, n_fft)``) laid ``hop_length`` apart: ``(batch, length)``."""
    from ..nn.functional import fold
    n_fft = frames.shape[-1]
    summed = fold(frames.transpose(1, 2), output_size=(1, length), kernel_size=(1, n_fft), stride=(1, hop_length))
    return summed.reshape(frames.shape[0], length)


@tensor_method()
def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse short-time Fourier transform: windowed inverse FFTs, overlap-added, over the window envelope."""
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    prefix = _call_repr("istft", f"CPU{input.dtype._scalar_name}Type", input, n_fft, hop_length, win_length, window,
                        center=_flag(center), normalized=_flag(normalized), onesided=_flag(onesided),
                        length=length, return_complex=_flag(return_complex))
    if input.dim() not in (2, 3):
        raise RuntimeError(prefix + f" : expected a tensor with 3 or 4 dimensions, but got {input.dim() + 1}")
    fft_size, n_frames = input.shape[-2], input.shape[-1]
    onesided = fft_size != n_fft if onesided is None else onesided
    if onesided and fft_size != n_fft // 2 + 1:
        raise RuntimeError(prefix + " : expected the frequency dimension (3rd to the last) of the input tensor to "
                           f"match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not onesided and fft_size != n_fft:
        raise RuntimeError(prefix + " : expected the frequency dimension (3rd to the last) of the input tensor to "
                           f"match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop_length <= win_length:
        raise RuntimeError(prefix + " : expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(prefix + " : expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise RuntimeError(prefix + " : Invalid window shape. window has to be 1D and length of `win_length`")
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    batched = input.dim() == 3
    spectrum = (input if batched else input.unsqueeze(0)).transpose(1, 2)   # (batch, n_frames, fft_size)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = ifft(spectrum, n=n_fft, dim=-1, norm=norm)
    else:
        if window is not None and window.is_complex():
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spectrum = spectrum.narrow(-1, 0, n_fft // 2 + 1)
        frames = irfft(spectrum, n=n_fft, dim=-1, norm=norm)
    real_dtype = input.real.dtype
    full_window = _padded_window(window, win_length, n_fft, real_dtype)
    if full_window is None:
        full_window = ones(n_fft, dtype=real_dtype)
    expected_len = n_fft + hop_length * (n_frames - 1)
    signal = _overlap_add(frames * full_window, hop_length, expected_len)
    envelope = _overlap_add((full_window * full_window).expand(1, n_frames, n_fft), hop_length, expected_len)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (expected_len - n_fft // 2 if center else expected_len)
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    if bool((envelope.abs() < 1e-11).any()):
        raise RuntimeError(prefix + " window overlap add min: 1\n[ CPUBoolType{} ]")
    signal = signal / envelope
    if end > expected_len:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, stacklevel=2)
        signal = cat([signal, zeros(signal.shape[0], end - expected_len, dtype=signal.dtype)], dim=1)
    return signal if batched else signal.squeeze(0)
