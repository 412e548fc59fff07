"""Complex-number ops: real/imag parts, conjugation, ``view_as_real``/``view_as_complex``, ``complex``, ``polar``
and ``angle``.

Gradients follow PyTorch's convention for a real loss ``L`` of ``z = x + iy``: ``z.grad = dL/dx + i dL/dy``
(the conjugate Wirtinger derivative, doubled). These ops are not holomorphic, so their nodes apply it themselves
(``complex_aware``); the engine derives it for the holomorphic ops whose formulas are written for real numbers.
numbatorch conjugates eagerly: ``conj`` makes a copy, so ``is_conj`` is always False and ``resolve_conj``
returns its input.
"""
import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from ._util import apply_inplace, record

__all__ = ["real", "imag", "conj", "conj_physical", "conj_physical_", "resolve_conj", "is_conj", "view_as_real",
           "view_as_complex", "complex", "polar", "angle"]


def _check_complex(input, name):
    if input._data.dtype.kind != "c":
        raise RuntimeError(f"{name} is only supported for complex tensors")


class RealBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return grad.astype(np.result_type(grad.dtype, np.complex64))

    def backward_graph(self, grad):
        return complex(grad, grad * 0)


class ImagBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return grad * 1j

    def backward_graph(self, grad):
        return complex(grad * 0, grad)


def real(input):
    """The real part: a view of a complex tensor; a real tensor itself."""
    if input._data.dtype.kind != "c":
        return input
    return record(input._data.real, RealBackward0, (input,))


def imag(input):
    """The imaginary part, a view of a complex tensor; RuntimeError for real tensors, as in PyTorch."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return record(input._data.imag, ImagBackward0, (input,))


Tensor.real = property(real, doc="The real part: a view of a complex tensor; a real tensor itself.")
Tensor.imag = property(imag, doc="The imaginary part of a complex tensor (a view).")


class ConjBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return np.conj(grad)

    def backward_graph(self, grad):
        return conj(grad)


@tensor_method()
def conj(input):
    """The complex conjugate (a new tensor); a real tensor itself."""
    if input._data.dtype.kind != "c":
        return input
    return record(np.conj(input._data), ConjBackward0, (input,))


@tensor_method()
def conj_physical(input):
    """The complex conjugate, computed into new memory; a real tensor itself."""
    return conj(input)


@tensor_method()
def conj_physical_(input):
    """Conjugate ``input`` in place; a real tensor is returned unchanged."""
    if input._data.dtype.kind != "c":
        return input
    return apply_inplace(input, conj(input))


@tensor_method()
def resolve_conj(input):
    """``input`` itself: numbatorch conjugates eagerly, so no tensor has its conjugate bit set."""
    return input


@tensor_method()
def is_conj(input):
    """Always ``False``: numbatorch conjugates eagerly and has no conjugate bit."""
    return False


class ViewAsRealBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return grad[..., 0] + 1j * grad[..., 1]

    def backward_graph(self, grad):
        return complex(grad[..., 0], grad[..., 1])


@tensor_method()
def view_as_real(input):
    """A real view of a complex tensor with a last dimension of size 2 holding (real, imaginary)."""
    _check_complex(input, "view_as_real")
    data = input._data
    return record(data[..., None].view(data.real.dtype), ViewAsRealBackward0, (input,))


class ViewAsComplexBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return np.stack((grad.real, grad.imag), axis=-1)

    def backward_graph(self, grad):
        return view_as_real(grad)


def view_as_complex(input):
    """A complex view of a float32/float64 tensor whose last dimension (size 2, stride 1) holds (real, imag)."""
    data = input._data
    if data.dtype not in (np.float32, np.float64):
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a tensor of "
                           f"scalar type: {dt._BY_NP[data.dtype]._scalar_name}")
    if data.ndim == 0 or data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if data.strides[-1] != data.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * data.itemsize) for s in data.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    out = data.view(np.complex64 if data.dtype == np.float32 else np.complex128)[..., 0]
    return record(out, ViewAsComplexBackward0, (input,))


class ComplexBackward0(Node):
    __slots__ = ()
    complex_aware = True

    def backward(self, grad):
        return grad.real, grad.imag

    def backward_graph(self, grad):
        return real(grad), imag(grad)


def complex(real, imag):
    """The complex tensor ``real + i * imag`` from two float tensors of the same dtype (broadcast)."""
    rd, id_ = real._data.dtype, imag._data.dtype
    if rd != id_:
        raise RuntimeError(f"Expected object of scalar type {dt._BY_NP[rd]._scalar_name} but got scalar type "
                           f"{dt._BY_NP[id_]._scalar_name} for second argument")
    if rd not in (np.float16, np.float32, np.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{dt._BY_NP[rd]._scalar_name} and {dt._BY_NP[id_]._scalar_name}")
    out_dtype = dt._BY_NP[rd].to_complex().np
    out = np.empty(np.broadcast_shapes(real._data.shape, imag._data.shape), out_dtype, like=real._data)
    out.real, out.imag = real._data, imag._data
    return record(out, ComplexBackward0, (real, imag))


class PolarBackward0(Node):
    __slots__ = ("unit", "abs")
    complex_aware = True

    def backward(self, grad):
        # z = r e^{i theta}: dL/dr = Re(G e^{-i theta}), dL/dtheta = r Re(-i G e^{-i theta}).
        rotated = grad * np.conj(self.unit)
        return rotated.real, self.abs * rotated.imag

    def backward_graph(self, grad):
        r, theta = operand(self, 0, self.abs), operand(self, 1, None)
        unit = Tensor._make(self.unit) if theta is None else polar(Tensor._make(np.ones_like(theta._data)), theta)
        rotated = grad * conj(unit)
        return rotated.real, r * rotated.imag


def polar(abs, angle):
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    if abs._data.dtype != angle._data.dtype:
        raise RuntimeError(f"Expected object of scalar type {dt._BY_NP[abs._data.dtype]._scalar_name} but got "
                           f"scalar type {dt._BY_NP[angle._data.dtype]._scalar_name} for second argument")
    if abs._data.dtype not in (np.float32, np.float64):
        raise RuntimeError("Expected both inputs to be Float or Double tensors but got "
                           f"{dt._BY_NP[abs._data.dtype]._scalar_name} and "
                           f"{dt._BY_NP[angle._data.dtype]._scalar_name}")
    unit = np.exp(1j * angle._data).astype(dt._BY_NP[angle._data.dtype].to_complex().np)
    return record(abs._data * unit, PolarBackward0, (abs, angle), unit=unit, abs=abs._data)


class AngleBackward0(Node):
    __slots__ = ("z",)
    complex_aware = True

    def backward(self, grad):
        # theta = atan2(y, x): dtheta/dx = -y / |z|^2, dtheta/dy = x / |z|^2, so z.grad = i z grad / |z|^2.
        z = self.z
        denom = (z * np.conj(z)).real
        return np.where(denom == 0, 0, 1j * z * grad / np.where(denom == 0, 1, denom)).astype(z.dtype)

    def backward_graph(self, grad):
        zero = Tensor._make(self.z == 0)
        z = operand(self, 0, self.z).masked_fill(zero, 1)
        return (z * grad * 1j / (z * conj(z)).real).masked_fill(zero, 0)


@tensor_method()
def angle(input):
    """The argument of each element: atan2(imag, real) for complex tensors, 0 or pi for real ones."""
    data = input._data
    if data.dtype.kind == "c":
        return record(np.angle(data), AngleBackward0, (input,), z=data)
    x = input if input.is_floating_point() else input.to(dt.get_default_dtype())
    values = np.where(x._data < 0, np.pi, np.where(np.isnan(x._data), np.nan, 0.0)).astype(x._data.dtype)
    return x * 0 + Tensor._make(values)


class SgnBackward0(Node):
    __slots__ = ("z", "out")
    complex_aware = True

    def backward(self, grad):
        # sgn(z) = z / |z| depends on the phase only: z.grad = (G - Re(G conj(sgn)) sgn) / |z| (0 at z = 0).
        modulus = np.abs(self.z)
        tangential = grad - (grad * np.conj(self.out)).real * self.out
        return np.where(modulus == 0, 0, tangential / np.where(modulus == 0, 1, modulus)).astype(self.z.dtype)

    def backward_graph(self, grad):
        zero = Tensor._make(self.z == 0)
        z = operand(self, 0, self.z).masked_fill(zero, 1)
        modulus = z.abs()
        out = z / modulus
        return ((grad - (grad * conj(out)).real * out) / modulus).masked_fill(zero, 0)


def complex_sgn(input):
    """``z / |z|`` of a complex tensor (0 where ``z`` is 0): ``torch.sgn`` for complex dtypes."""
    z = input._data
    modulus = np.abs(z)
    out = np.where(modulus == 0, 0, z / np.where(modulus == 0, 1, modulus)).astype(z.dtype)
    return record(out, SgnBackward0, (input,), z=z, out=out)
