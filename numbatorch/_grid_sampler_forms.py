"""The ``torch.*`` forms under ``F.grid_sample`` and ``F.affine_grid``: ``grid_sampler`` (modes given by their
codes in ``F.GRID_SAMPLE_*_MODES``), ``grid_sampler_2d``/``_3d`` and ``affine_grid_generator``."""
from .nn import functional as F

__all__ = ["affine_grid_generator", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d"]


def _mode_name(modes, code):
    return next(name for name, value in modes.items() if value == code)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``F.grid_sample`` with the interpolation and padding modes given by their integer codes."""
    return F.grid_sample(input, grid, mode=_mode_name(F.GRID_SAMPLE_INTERPOLATION_MODES, interpolation_mode),
                         padding_mode=_mode_name(F.GRID_SAMPLE_PADDING_MODES, padding_mode),
                         align_corners=align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``grid_sampler`` of a 4-D input."""
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``grid_sampler`` of a 5-D input."""
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta, size, align_corners):
    """``F.affine_grid(theta, size, align_corners)``."""
    return F.affine_grid(theta, size, align_corners=align_corners)
