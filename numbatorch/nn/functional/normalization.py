"""``F.layer_norm``: one graph node over the row-normalisation kernel of ``backends.cpu.norm``."""
from ..._ops._util import record
from ...autograd.graph import Node
from ...backends.cpu import norm as _norm


class NativeLayerNormBackward0(Node):
    __slots__ = ("x", "normalized_shape", "mean", "rstd", "weight", "has_bias")

    def backward(self, grad):
        needs = tuple(t is not None for t in self.inputs)
        mask = (needs[0], len(needs) > 1 and needs[1], len(needs) > 2 and needs[2])
        gx, gw, gb = _norm.layer_norm_backward(grad, self.x, self.normalized_shape, self.mean, self.rstd,
                                               self.weight, output_mask=mask, has_bias=self.has_bias)
        return (gx, gw, gb)[:len(self.inputs)]


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale by weight and shift by bias."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    w = weight._data if weight is not None else None
    b = bias._data if bias is not None else None
    y, mean, rstd = _norm.layer_norm_forward(x, shape, w, b, eps)
    inputs = (input, weight, bias)
    res = record(y, NativeLayerNormBackward0, inputs, x=x, normalized_shape=shape, mean=mean, rstd=rstd,
                 weight=w, has_bias=b is not None)
    if res.grad_fn is not None:
        res.grad_fn.save_versions(*[t for t in inputs if t is not None])
    return res


__all__ = ["layer_norm"]
