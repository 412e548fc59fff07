"""``F.layer_norm`` and ``F.group_norm`` (one graph node each over ``backends.cpu.norm``) and the composed
``F.local_response_norm``."""
import numpy as np

from ..._ops._util import record
from ...autograd.graph import Node, backward_by_recompute
from ...backends import kernel_family
from ..._ops._half_precision import computes_in_float32
from ..._ops._dtype_args import check_mixed_dtype, require_floating
from ._shape_args import fmt_size
from ..._ops._tensor_args import require_tensor

_norm = kernel_family("norm")


class NativeLayerNormBackward0(Node):
    __slots__ = ("x", "normalized_shape", "mean", "rstd", "weight", "has_bias", "eps")

    def backward(self, grad):
        needs = tuple(t is not None for t in self.inputs)
        mask = (needs[0], len(needs) > 1 and needs[1], len(needs) > 2 and needs[2])
        gx, gw, gb = _norm.layer_norm_backward(grad, self.x, self.normalized_shape, self.mean, self.rstd,
                                               self.weight, output_mask=mask, has_bias=self.has_bias)
        return (gx, gw, gb)[:len(self.inputs)]

    def backward_graph(self, grad):
        dims = tuple(range(-len(self.normalized_shape), 0))
        return backward_by_recompute(self, lambda x, w, b: _normalized(x, dims, w, b, self.eps),
                                     (self.x, self.weight, None), grad)


def _normalized(x, dims, weight, bias, eps, shape=None):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over ``dims`` from differentiable ops (``shape``: the
    view of x the statistics are taken on); for differentiating layer and group norm again."""
    xs = x if shape is None else x.reshape(shape)
    centered = xs - xs.mean(dims, keepdim=True)
    y = centered / ((centered * centered).mean(dims, keepdim=True) + eps).sqrt()
    if shape is not None:
        y = y.reshape(x.shape)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


@computes_in_float32
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale by weight and shift by bias."""
    require_tensor("layer_norm", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    w = weight._data if weight is not None else None
    b = bias._data if bias is not None else None
    check_mixed_dtype(x, w, b)
    require_floating("LayerNormKernelImpl", x)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape=[{fmt_size(shape)}], expected input with shape "
                           f"[*, {fmt_size(shape)}], but got input of size[{fmt_size(x.shape)}]")
    for p in (w, b):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                               f"weight of shape [{fmt_size(p.shape)}] and normalized_shape = [{fmt_size(shape)}]")
    y, mean, rstd = _norm.layer_norm_forward(x, shape, w, b, eps)
    inputs = (input, weight, bias)
    return record(y, NativeLayerNormBackward0, inputs, reads=inputs, x=x, normalized_shape=shape, mean=mean,
                  rstd=rstd, weight=w, has_bias=b is not None, eps=eps)


class NativeGroupNormBackward0(Node):
    __slots__ = ("x", "w", "groups", "mean", "rstd", "eps")

    def backward(self, grad):
        inputs = self.inputs
        has_bias = len(inputs) > 2 and inputs[2] is not None
        mask = (inputs[0] is not None, inputs[1] is not None, has_bias)
        gx, gw, gb = _norm.group_norm_backward(grad, self.x, self.groups, self.mean, self.rstd, self.w, mask,
                                           has_bias=has_bias)
        return gx, gw, gb

    def backward_graph(self, grad):
        n, c = self.x.shape[:2]
        per_channel = (c,) + (1,) * (self.x.ndim - 2)

        def forward(x, w, b):
            y = _normalized(x, (2,), None, None, self.eps, (n, self.groups, -1))
            y = y if w is None else y * w.reshape(per_channel)
            return y if b is None else y + b.reshape(per_channel)
        return backward_by_recompute(self, forward, (self.x, self.w, None), grad)


@computes_in_float32
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise (N, C, *) over groups of C // num_groups channels (and all spatial positions)."""
    require_tensor("group_norm", input)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    N, C = x.shape[:2]
    if num_groups > 0 and C % num_groups == 0 and (N * C // num_groups) * int(np.prod(x.shape[2:])) == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"[{N * C // num_groups}, {num_groups}{''.join(f', {s}' for s in x.shape[2:])}]")
    w = None if weight is None else weight._data
    b = None if bias is None else bias._data
    check_mixed_dtype(x, w, b)
    require_floating("GroupNormKernelImpl", x)
    if num_groups <= 0 or C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape [{fmt_size(x.shape)}] and num_groups={int(num_groups)}")
    for p in (w, b):
        if p is not None and p.size != C:
            raise RuntimeError(f"Expected weight to be a vector of size equal to the number of "
                               f"channels in input, but got weight of shape [{fmt_size(p.shape)}] "
                               f"and input of shape [{fmt_size(x.shape)}]")
    y, mean, rstd = _norm.group_norm_forward(x, num_groups, w, b, eps)
    return record(y, NativeGroupNormBackward0, (input, weight, bias), reads=(input, (weight, 0)), x=x, w=w,
                  groups=int(num_groups), mean=mean, rstd=rstd, eps=eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each element by the sum of squares of ``size`` neighbouring channels."""
    from .padding import pad
    from .pooling import avg_pool2d, avg_pool3d
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1).view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


__all__ = ["group_norm", "layer_norm", "local_response_norm"]
