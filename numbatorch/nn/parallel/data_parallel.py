"""``DataParallel`` and ``data_parallel``: PyTorch's single-process multi-GPU wrappers. Without a GPU PyTorch's
DataParallel runs the module as it is and ignores ``device_ids``; numbatorch runs on CPU, so both do that
(PyTorch's ``data_parallel`` raises on a CPU-only machine; here it evaluates the module, so code written for
GPUs runs unchanged)."""
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps ``module`` and calls it directly, as PyTorch's DataParallel does when no GPU is available.

    The module is kept as ``.module``, so ``state_dict()`` keys start with ``module.``; for several processes use
    DistributedDataParallel.

    Args:
        module: the module to run.
        device_ids: the GPUs to split the batch over; ignored (there are none).
        output_device: where outputs are gathered; ignored.
        dim: the batch dimension that would be split.

    Shape:
        - Input and output: those of ``module``.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Evaluate ``module(*inputs, **module_kwargs)`` in this process (there is no GPU to split the batch over)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
