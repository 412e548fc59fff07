"""``F.linear`` and ``F.bilinear``: one fused node each, backed by BLAS matrix products."""
import math

import numpy as np

from ..._ops._util import record
from ...backends import kernel_family
from ...autograd.graph import Node, backward_by_recompute, operand
from ..._ops._tensor_args import require_tensor

blas = kernel_family("blas")


def _rows(a):
    """``a`` as a matrix of its last dimension; explicit row count, since ``-1`` can't be inferred when that
    dimension is 0 (a zero-width layer, e.g. an adaptive softmax cluster of projection size 0)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


class AddmmBackward0(Node):
    """Backward of ``x @ w.T + b`` over any number of leading batch dims."""

    __slots__ = ("x", "w")

    def backward(self, grad):
        x, w = self.x, self.w
        g2 = _rows(grad)
        if self.inputs[0] is not None and self.inputs[1] is not None:  # side by side where the BLAS policy finds
            gx, gw = blas.matmul_pair(g2, w, g2.T, _rows(x))                # that pays
            gx = gx.reshape(x.shape)
        else:
            gx = blas.matmul(g2, w).reshape(x.shape) if self.inputs[0] is not None else None
            gw = blas.matmul(g2.T, _rows(x)) if self.inputs[1] is not None else None
        gb = g2.sum(axis=0) if len(self.inputs) > 2 and self.inputs[2] is not None else None
        return gx, gw, gb

    def backward_graph(self, grad):
        x, w = operand(self, 0, self.x), operand(self, 1, self.w)
        g2 = _rows(grad)
        gx = (g2 @ w).reshape(x.shape) if self.inputs[0] is not None else None
        gw = g2.t() @ _rows(x) if self.inputs[1] is not None else None
        gb = g2.sum(0) if len(self.inputs) > 2 and self.inputs[2] is not None else None
        return gx, gw, gb


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` for input (*, in_features) and weight (out_features, in_features)."""
    require_tensor("linear", input)
    x, w = input._data, weight._data
    if x.shape[-1] != w.shape[-1]:
        rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{w.shape[1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_name(x)} and {_name(w)}")
    # one GEMM over all rows: numpy's matmul of a batched (strided) input runs one small GEMM per batch entry
    out = blas.matmul(_rows(x), w.T).reshape(x.shape[:-1] + (w.shape[0],)) if x.ndim > 2 else blas.matmul(x, w.T)
    if bias is not None:
        out += bias._data
        return record(out, AddmmBackward0, (input, weight, bias), x=x, w=w)
    return record(out, AddmmBackward0, (input, weight), x=x, w=w)


def _name(arr):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(arr.dtype.name, arr.dtype.name)


class BilinearBackward0(Node):
    __slots__ = ("x1", "x2", "w")

    def backward(self, grad):
        x1, x2, w = self.x1, self.x2, self.w
        g1 = np.einsum("...o,oij,...j->...i", grad, w, x2) if self.inputs[0] is not None else None
        g2 = np.einsum("...o,oij,...i->...j", grad, w, x1) if self.inputs[1] is not None else None
        gw = None
        if self.inputs[2] is not None:
            flat = (grad.reshape(-1, grad.shape[-1]), x1.reshape(-1, x1.shape[-1]), x2.reshape(-1, x2.shape[-1]))
            gw = np.einsum("no,ni,nj->oij", *flat, optimize=True)
        gb = grad.reshape(-1, grad.shape[-1]).sum(0) if len(self.inputs) > 3 and self.inputs[3] is not None \
            else None
        return g1, g2, gw, gb

    def backward_graph(self, grad):
        from ..._ops.contractions import einsum

        def forward(x1, x2, w):
            return einsum("...i,oij,...j->...o", x1, w, x2)
        g1, g2, gw = backward_by_recompute(self, forward, (self.x1, self.x2, self.w), grad)[:3]
        gb = grad.reshape(-1, grad.shape[-1]).sum(0) if len(self.inputs) > 3 and self.inputs[3] is not None \
            else None
        return g1, g2, gw, gb


def bilinear(input1, input2, weight, bias=None):
    """``y_o = x1^T W_o x2 + b_o``."""
    x1, x2, w = input1._data, input2._data, weight._data
    out = np.einsum("...i,oij,...j->...o", x1, w, x2, optimize=True)
    inputs = (input1, input2, weight)
    if bias is not None:
        out = out + bias._data
        inputs += (bias,)
    return record(out, BilinearBackward0, inputs, x1=x1, x2=x2, w=w)


__all__ = ["bilinear", "linear"]
