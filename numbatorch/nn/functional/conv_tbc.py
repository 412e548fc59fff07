"""``conv_tbc``: 1-D convolution of a (time, batch, channels) sequence, and ``grid_sample``'s mode tables."""
from .conv import conv1d

__all__ = ["GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES", "conv_tbc"]

# grid_sample's mode names and the codes PyTorch's kernels take for them.
GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}


def conv_tbc(input, weight, bias, pad=0):
    """1-D convolution over time of a (time, batch, in_channels) ``input``: (time', batch, out_channels).

    ``weight`` is (kernel width, in_channels, out_channels), ``bias`` (out_channels); ``pad`` zero steps are
    added at both ends of time."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    output = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return output.permute(2, 0, 1)
