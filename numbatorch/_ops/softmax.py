"""softmax and log_softmax along one dim: checks, graph node and dispatch (kernels in ``backends.cpu.softmax``)."""
from .. import _dtype as dt
from .._tensor import tensor_method
from ..autograd.graph import Node, operand, recomputed_output
from ..backends import kernel_family
from ._util import _legacy_name, normalize_dim, record

kernels = kernel_family("softmax")

__all__ = ["softmax", "log_softmax"]


class SoftmaxBackward0(Node):
    __slots__ = ("out", "dim")

    def backward(self, grad):
        return kernels.softmax_backward(grad, self.out, self.dim, False)

    def backward_graph(self, grad):
        y = _recomputed_softmax(self)
        return y * (grad - (grad * y).sum(self.dim, keepdim=True))


class LogSoftmaxBackward0(Node):
    __slots__ = ("out", "dim")

    def backward(self, grad):
        return kernels.softmax_backward(grad, self.out, self.dim, True)

    def backward_graph(self, grad):
        return grad - _recomputed_softmax(self) * grad.sum(self.dim, keepdim=True)


def _recomputed_softmax(node):
    """The softmax of ``node``'s input as a differentiable function of it (for ``create_graph=True``)."""
    x, dtype = operand(node, 0, None), dt.as_dtype(node.out.dtype)
    if isinstance(node, LogSoftmaxBackward0):
        recomputed_output(node, log_softmax(x, node.dim, dtype=dtype), node.out)
        return softmax(x, node.dim, dtype=dtype)
    return recomputed_output(node, softmax(x, node.dim, dtype=dtype), node.out)


def _implicit_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(input, dim, dtype, log):
    x = input._data
    if dtype is not None:
        x = x.astype(dt.as_dtype(dtype).np, copy=False)
    if x.dtype.itemsize == 2 and dt.is_floating(x.dtype):
        # bfloat16, float16: the kernels compute in float32, the result is rounded, as in PyTorch
        half = dt._BY_NP[x.dtype]
        return _softmax(input.to(half).to(dt.float32), dim, None, log).to(half)
    if x.dtype.kind != "f":
        kernel = "log_softmax" if log else "softmax"
        raise NotImplementedError(f'"{kernel}_lastdim_kernel_impl" not implemented for '
                                  f"'{_legacy_name(x.dtype)}'")
    d = normalize_dim(_implicit_dim(x.ndim) if dim is None else dim, x.ndim)
    out = kernels.softmax_forward(x, d, log)
    return record(out, LogSoftmaxBackward0 if log else SoftmaxBackward0, (input,), out=out, dim=d)


@tensor_method("softmax")
def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed as exp(x - max) for stability."""
    return _softmax(input, dim, dtype, False)


@tensor_method("log_softmax")
def log_softmax(input, dim=None, dtype=None):
    """x - max - log(sum(exp(x - max))) along ``dim``."""
    return _softmax(input, dim, dtype, True)
