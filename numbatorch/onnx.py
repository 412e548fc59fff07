"""``numbatorch.onnx``: importable so programs that mention ONNX load; exporting is not implemented."""

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, *unused_args, **kwargs):
    """Export ``model`` to ONNX: not implemented in numbatorch, raises NotImplementedError."""
    raise NotImplementedError("numbatorch does not implement torch.onnx.export yet: save the weights with "
                              "torch.save(model.state_dict(), path) and export them from PyTorch")


def is_in_onnx_export():
    """Whether an ONNX export is running: never, since numbatorch cannot export."""
    return False
