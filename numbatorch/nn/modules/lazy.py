"""Lazy convolutions and normalisations: ``in_channels`` / ``num_features`` are taken from the first input.

Before the first call the module holds ``UninitializedParameter`` placeholders; the first ``forward`` builds
the layer it stands for (``cls_to_become``) with the inferred size, takes over its parameters, buffers and
attributes (keeping its own hooks), becomes an instance of that class and runs it. As in PyTorch, create the
optimizer after a first (dry) run.
"""
from ... import _dtype as dt
from ..parameter import UninitializedParameter
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .module import Module

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class _LazyModule(Module):
    """Stores the constructor arguments of ``cls_to_become`` minus its first (the size inferred from the input)."""

    cls_to_become = None
    _spatial_dims = 0
    _has_weight = True  # whether the layer built with these arguments has weight (and bias) parameters

    def __init__(self, *args, **kwargs):
        super().__init__()
        self._lazy_args = args
        self._lazy_kwargs = kwargs
        if self._weight_expected():
            self.weight = UninitializedParameter()
            if self._bias_expected():
                self.bias = UninitializedParameter()

    def _build_kwargs(self):
        kwargs = dict(self._lazy_kwargs)
        kwargs.setdefault("dtype", dt.get_default_dtype())
        return kwargs

    def _weight_expected(self):
        return True

    def _bias_expected(self):
        return True

    def _inferred_size(self, input):
        # Unbatched input has one dim fewer: channels come first.
        batched = input.dim() != self._spatial_dims + 1
        return input.shape[1] if batched else input.shape[0]

    def has_uninitialized_params(self):
        """True until the first input has fixed the parameters' shapes."""
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def initialize_parameters(self, input):
        """Build the real layer for ``input`` and become it."""
        built = self.cls_to_become(self._inferred_size(input), *self._lazy_args, **self._build_kwargs())
        kept = {k: v for k, v in self.__dict__.items() if "hook" in k or k == "training"}
        self.__dict__.clear()
        self.__dict__.update(built.__dict__)
        self.__dict__.update(kept)
        self.__class__ = self.cls_to_become

    def forward(self, *args, **kwargs):
        self.initialize_parameters(args[0])
        return self.forward(*args, **kwargs)

    def extra_repr(self):
        return "(uninitialized)"


class _LazyConv(_LazyModule):
    def _bias_expected(self):
        names = ("stride", "padding", "dilation", "groups", "bias") if not self.cls_to_become.__name__.startswith(
            "ConvTranspose") else ("stride", "padding", "output_padding", "groups", "bias")
        args = dict(zip(names, self._lazy_args[2:]))  # after out_channels and kernel_size
        return bool(self._lazy_kwargs.get("bias", args.get("bias", True)))


class _LazyNorm(_LazyModule):
    _affine_default = True

    def _weight_expected(self):
        # (eps, momentum, affine, track_running_stats)
        affine = self._lazy_args[2] if len(self._lazy_args) > 2 else self._affine_default
        return bool(self._lazy_kwargs.get("affine", affine))


class _LazyInstanceNorm(_LazyNorm):
    """Unlike InstanceNorm*d, PyTorch's lazy versions default to ``affine=True, track_running_stats=True``."""

    def _build_kwargs(self):
        kwargs = super()._build_kwargs()
        for position, name in ((2, "affine"), (3, "track_running_stats")):
            if len(self._lazy_args) <= position:
                kwargs.setdefault(name, True)
        return kwargs


def _lazy_class(name, base, kind, spatial_dims):
    size_name = "in_channels" if issubclass(kind, _LazyConv) else "num_features"
    unbatched = "" if spatial_dims < 0 else "\n        (``input.size(0)`` for unbatched input)"
    doc = (f"``{base.__name__}`` whose ``{size_name}`` is inferred from the first input.\n\n"
           f"    It becomes a ``{base.__name__}`` at the first call.\n\n"
           f"    Args:\n        args, kwargs: ``{base.__name__}``'s arguments without ``{size_name}``.\n\n"
           f"    Shape:\n        As for ``{base.__name__}``, with ``{size_name}`` taken from ``input.size(1)``"
           f"{unbatched}.\n    ")
    return type(name, (kind,), {"cls_to_become": base, "_spatial_dims": spatial_dims, "__doc__": doc,
                                "__module__": __name__})


LazyConv1d = _lazy_class("LazyConv1d", Conv1d, _LazyConv, 1)
LazyConv2d = _lazy_class("LazyConv2d", Conv2d, _LazyConv, 2)
LazyConv3d = _lazy_class("LazyConv3d", Conv3d, _LazyConv, 3)
LazyConvTranspose1d = _lazy_class("LazyConvTranspose1d", ConvTranspose1d, _LazyConv, 1)
LazyConvTranspose2d = _lazy_class("LazyConvTranspose2d", ConvTranspose2d, _LazyConv, 2)
LazyConvTranspose3d = _lazy_class("LazyConvTranspose3d", ConvTranspose3d, _LazyConv, 3)
# Batch norm's input always has a batch dim: (N, C) and (N, C, L) for 1d, so "unbatched" never applies.
LazyBatchNorm1d = _lazy_class("LazyBatchNorm1d", BatchNorm1d, _LazyNorm, -1)
LazyBatchNorm2d = _lazy_class("LazyBatchNorm2d", BatchNorm2d, _LazyNorm, -1)
LazyBatchNorm3d = _lazy_class("LazyBatchNorm3d", BatchNorm3d, _LazyNorm, -1)
LazyInstanceNorm1d = _lazy_class("LazyInstanceNorm1d", InstanceNorm1d, _LazyInstanceNorm, 1)
LazyInstanceNorm2d = _lazy_class("LazyInstanceNorm2d", InstanceNorm2d, _LazyInstanceNorm, 2)
LazyInstanceNorm3d = _lazy_class("LazyInstanceNorm3d", InstanceNorm3d, _LazyInstanceNorm, 3)
