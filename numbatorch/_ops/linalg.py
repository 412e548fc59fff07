"""Matrix products: matmul/@, mm, bmm, mv, dot, vdot, inner, outer, einsum, tensordot, addmm and friends.

All products go to BLAS through ``np.matmul``/``np.einsum``; the backward of each product is again a
product (the gradient of ``a @ b`` is ``g @ b.T`` and ``a.T @ g``), so no Numba kernel is needed here.
PyTorch never promotes dtypes in matrix products, so mismatched dtypes raise its errors instead.
"""
import functools

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node
from ._util import record

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "einsum", "tensordot",
           "baddbmm", "addmm", "addmv", "addbmm", "addr", "kron", "chain_matmul"]

# The C type names PyTorch prints in "expected m1 and m2 to have the same dtype" errors.
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
           "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
# The scalar type names of "expected scalar type Float but found Double".
_SCALAR_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _matmul_grads(grad, a, b, need_a, need_b):
    """Gradients of ``np.matmul(a, b)`` (1-D operands included), possibly broadcast to batch dims."""
    if a.ndim == 1 and b.ndim == 1:
        return (grad * b if need_a else None), (grad * a if need_b else None)
    if a.ndim == 1:  # (k,) @ (..., k, m): treat a as (1, k)
        g = grad[..., None, :]
        ga = np.matmul(g, _mT(b))[..., 0, :] if need_a else None
        gb = a[:, None] * g if need_b else None
        return ga, gb
    if b.ndim == 1:  # (..., n, k) @ (k,): treat b as (k, 1)
        g = grad[..., None]
        ga = g * b if need_a else None
        gb = None
        if need_b:
            gb = (a.reshape(-1, a.shape[-1]).T @ grad.reshape(-1)) if a.ndim > 2 else np.matmul(_mT(a), g)[..., 0]
        return ga, gb
    if b.ndim == 2 and a.ndim > 2:  # batched input times one matrix: fold the batch into one GEMM
        k, m = b.shape
        ga = (grad.reshape(-1, m) @ b.T).reshape(a.shape) if need_a else None
        gb = a.reshape(-1, k).T @ grad.reshape(-1, m) if need_b else None
        return ga, gb
    ga = np.matmul(grad, _mT(b)) if need_a else None
    gb = np.matmul(_mT(a), grad) if need_b else None
    return ga, gb


class MmBackward0(Node):
    """Backward of every plain product; subclasses only carry PyTorch's grad_fn name for each case."""

    __slots__ = ("a", "b")

    def backward(self, grad):
        return _matmul_grads(grad, self.a, self.b, self.inputs[0] is not None, self.inputs[1] is not None)


class DotBackward0(MmBackward0):
    __slots__ = ()


class VdotBackward0(MmBackward0):
    __slots__ = ()


class MvBackward0(MmBackward0):
    __slots__ = ()


class BmmBackward0(MmBackward0):
    __slots__ = ()


class SqueezeBackward4(MmBackward0):  # PyTorch's name for 1-D @ 2-D (computed as unsqueeze, mm, squeeze)
    __slots__ = ()


class UnsafeViewBackward0(MmBackward0):  # PyTorch's name for batched matmul (bmm on folded views)
    __slots__ = ()


class CloneBackward0(MmBackward0):  # PyTorch's name for 2-D @ batched (computed transposed, then cloned)
    __slots__ = ()


def _product(a, b, out, node_cls, input, other):
    """Record ``out = a @ b``, version-tracking only the operands backward will read.

    Both arrays are kept (references, no copies: backward needs their shapes even when it reads one).
    """
    res = record(out, node_cls, (input, other))
    node = res.grad_fn
    if node is not None:
        node.a, node.b = a, b
        node.save_versions(input if node.inputs[1] is not None else None,
                           other if node.inputs[0] is not None else None)
    return res


def _same_dtype_2d(x, y):
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[x.dtype.name]} != "
                           f"{_C_NAME[y.dtype.name]}")


def _check_dot(x, y, name="dot"):
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.shape[0] != y.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
                           f"have the same number of elements, but got {x.shape[0]} and {y.shape[0]} elements "
                           "respectively")
    if x.dtype != y.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{_SCALAR_NAME[x.dtype.name]} and {_SCALAR_NAME[y.dtype.name]}")


def _check_mm(x, y):
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and "
                           f"{y.shape[0]}x{y.shape[1]})")
    _same_dtype_2d(x, y)
    _check_supported(x)


def _check_mv(x, v):
    if x.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), "
                           f"vec ({v.shape[0]})")
    if x.dtype != v.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[x.dtype.name]} != "
                           f"{_C_NAME[v.dtype.name]}")
    _check_supported(x)


def _check_supported(x):
    if x.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_batched(x, y, left_requires_grad):
    """PyTorch's checks of a broadcast batched matmul (x, y at least 1-D, one of them at least 3-D).

    The messages name the product PyTorch actually runs: an N-D operand times a 1-D/2-D one is folded into
    one matrix product; a 1-D/2-D left operand is folded (transposed) only when it requires grad, else the
    product is a bmm on expanded operands.
    """
    xb, yb = x.shape[:-2], y.shape[:-2]
    if x.ndim <= 2 and not left_requires_grad:
        xb = ()
    elif x.ndim == 1 or y.ndim == 1:  # folded into a matrix-vector product
        if y.ndim == 1:
            if x.shape[-1] != y.shape[0]:
                rows = x.size // x.shape[-1] if x.shape[-1] else 0
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{x.shape[-1]}), "
                                   f"vec ({y.shape[0]})")
        elif x.shape[0] != y.shape[-2]:
            rows = y.size // y.shape[-2] if y.shape[-2] else 0
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{y.shape[-2]}), vec ({x.shape[0]})")
        _same_dtype_2d(x, y)
        return
    elif y.ndim == 2:  # folded: (batch*n, k) @ (k, m)
        if x.shape[-1] != y.shape[0]:
            rows = x.size // x.shape[-1] if x.shape[-1] else 0
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                               f"{y.shape[0]}x{y.shape[1]})")
        _same_dtype_2d(x, y)
        return
    elif x.ndim == 2:  # computed as (y^T folded) @ x^T
        if x.shape[-1] != y.shape[-2]:
            rows = y.size // y.shape[-2] if y.shape[-2] else 0
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{y.shape[-2]} and "
                               f"{x.shape[1]}x{x.shape[0]})")
        _same_dtype_2d(x, y)
        return
    try:
        batch = np.broadcast_shapes(xb, yb)
    except ValueError:
        _raise_broadcast(xb, yb)
    if x.shape[-1] != y.shape[-2]:
        nb = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {x.shape[-1]}] "
                           f"but got: [{nb}, {y.shape[-2]}].")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAME[x.dtype.name]} but found "
                           f"{_SCALAR_NAME[y.dtype.name]}")
    _check_supported(x)


def _raise_broadcast(s1, s2):
    n = max(len(s1), len(s2))
    p1 = (1,) * (n - len(s1)) + tuple(s1)
    p2 = (1,) * (n - len(s2)) + tuple(s2)
    for i in range(n - 1, -1, -1):
        if p1[i] != p2[i] and p1[i] != 1 and p2[i] != 1:
            raise RuntimeError(f"The size of tensor a ({p1[i]}) must match the size of tensor b ({p2[i]}) at "
                               f"non-singleton dimension {i}")


@tensor_method()
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting rules, including the 1-D cases."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
                        if isinstance(input, Tensor) else
                        f"matmul(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    a, b = input._data, other._data
    na, nb = a.ndim, b.ndim
    if na == 2 and nb == 2:
        _check_mm(a, b)
        res = _product(a, b, a @ b, MmBackward0, input, other)
    elif na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    elif na == 1 and nb == 1:
        _check_dot(a, b)
        res = _product(a, b, np.asarray(np.dot(a, b)), DotBackward0, input, other)
    elif na == 2 and nb == 1:
        _check_mv(a, b)
        res = _product(a, b, a @ b, MvBackward0, input, other)
    elif na == 1 and nb == 2:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        _same_dtype_2d(a, b)
        _check_supported(a)
        res = _product(a, b, a @ b, SqueezeBackward4, input, other)
    else:
        _check_batched(a, b, input._requires_grad)
        _check_supported(a)
        if nb == 2:  # one GEMM over the folded batch instead of a loop of small ones
            prod = (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + (b.shape[1],))
        else:
            prod = np.matmul(a, b)
        node_cls = CloneBackward0 if na == 2 and input._requires_grad else UnsafeViewBackward0
        res = _product(a, b, prod, node_cls, input, other)
    return _write_out(res, out)


@tensor_method("__matmul__")
def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


@tensor_method("__rmatmul__")
def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


@tensor_method()
def mm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b)
    return _write_out(_product(a, b, a @ b, MmBackward0, input, mat2), out)


def _check_bmm(a, b, first="batch1", second="batch2"):
    if a.ndim != 3:
        raise RuntimeError(f"{first} must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"{second} must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAME[a.dtype.name]} but found "
                           f"{_SCALAR_NAME[b.dtype.name]}")
    _check_supported(a)


@tensor_method()
def bmm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    _check_bmm(a, b)
    return _write_out(_product(a, b, np.matmul(a, b), BmmBackward0, input, mat2), out)


@tensor_method()
def mv(input, vec, *, out=None):
    a, b = input._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(a, b)
    return _write_out(_product(a, b, a @ b, MvBackward0, input, vec), out)


@tensor_method()
def dot(input, tensor, *, out=None):
    a, b = input._data, tensor._data
    _check_dot(a, b)
    return _write_out(_product(a, b, np.asarray(np.dot(a, b)), DotBackward0, input, tensor), out)


@tensor_method()
def vdot(input, other, *, out=None):
    """Dot product conjugating the first argument (real dtypes only here, so the same as ``dot``)."""
    a, b = input._data, other._data
    _check_dot(a, b, "vdot")
    return _write_out(_product(a, b, np.asarray(np.dot(a, b)), VdotBackward0, input, other), out)


class OuterBackward(Node):
    """``outer`` is ``a[:, None] * b[None, :]`` in PyTorch, hence its grad_fn name."""

    __slots__ = ("a", "b")

    def name(self):
        return "MulBackward0"

    def backward(self, grad):
        ga = grad @ self.b if self.inputs[0] is not None else None
        gb = self.a @ grad if self.inputs[1] is not None else None
        return ga, gb


@tensor_method("outer", "ger")
def outer(input, vec2, *, out=None):
    a, b = input._data, vec2._data
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    res_dtype = dt.promote_types(dt._BY_NP[a.dtype], dt._BY_NP[b.dtype]).np
    a, b = a.astype(res_dtype, copy=False), b.astype(res_dtype, copy=False)
    return _write_out(_product(a, b, np.multiply.outer(a, b), OuterBackward, input, vec2), out)


ger = outer


# ---- einsum -------------------------------------------------------------------------------------------
class EinsumBackward(Node):
    """Gradient of an einsum with respect to operand i: the einsum of the output gradient with the others.

    Letters summed within operand i alone are broadcast back; repeated letters (diagonals) are written onto
    the diagonal of a zero array. ``out_shape`` undoes a final reshape (used by ``kron``).
    """

    __slots__ = ("subs", "out_sub", "arrays", "out_shape", "sizes")

    def name(self):
        return "ViewBackward0"  # what PyTorch's einsum/tensordot/inner end with for contractions

    def backward(self, grad):
        if self.out_shape is not None:
            grad = grad.reshape(self.out_shape)
        grads = []
        for i, t in enumerate(self.inputs):
            grads.append(None if t is None else self._grad_of(i, grad))
        return tuple(grads)

    def _grad_of(self, i, grad):
        sub = self.subs[i]
        others = [(s, a) for j, (s, a) in enumerate(zip(self.subs, self.arrays)) if j != i]
        unique = "".join(dict.fromkeys(sub))
        available = set(self.out_sub).union(*(s for s, _ in others))
        kept = "".join(c for c in unique if c in available)
        eq = ",".join([self.out_sub] + [s for s, _ in others]) + "->" + kept
        g = np.einsum(eq, grad, *(a for _, a in others), optimize=len(others) > 1)
        if len(kept) != len(unique):  # letters summed in this operand only: broadcast the gradient back
            g = g.reshape([self.sizes[c] if c in kept else 1 for c in unique])
            g = np.broadcast_to(g, [self.sizes[c] for c in unique])
        if len(unique) != len(sub):  # repeated letters: the gradient lives on the diagonal
            full = np.zeros([self.sizes[c] for c in sub], dtype=grad.dtype)
            np.einsum(sub + "->" + unique, full)[...] = g
            return full
        return g


class UnsafeViewEinsumBackward(EinsumBackward):
    __slots__ = ()

    def name(self):
        return "UnsafeViewBackward0"


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_equation(args):
    """``einsum(op1, [0, 1], op2, [1, 2], [0, 2])`` as an equation string and operand list."""
    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)
    out = args[-1] if len(args) % 2 == 1 else None
    pairs = args[:-1] if out is not None else args
    ops, subs = list(pairs[0::2]), list(pairs[1::2])
    eq = ",".join(letters(s) for s in subs)
    return (eq if out is None else eq + "->" + letters(out)), ops


def _parse(equation, shapes):
    """Explicit per-operand subscripts (ellipses replaced by letters) and the output subscripts."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    parts = lhs.split(",")
    if len(parts) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(parts) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    free = [c for c in _LETTERS if c not in eq]
    ell_ndim = 0
    for p, shape in zip(parts, shapes):
        if "..." in p:
            ell_ndim = max(ell_ndim, len(shape) - (len(p) - 3))
    ell = "".join(free[:ell_ndim])
    subs = []
    for i, (p, shape) in enumerate(zip(parts, shapes)):
        if "..." in p:
            n = len(shape) - (len(p) - 3)
            p = p.replace("...", ell[ell_ndim - n:] if n else "")
        elif len(p) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(p)}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {i} and no ellipsis was given")
        subs.append(p)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return subs, out


def _letter_sizes(subs, shapes):
    sizes = {}
    for i, (s, shape) in enumerate(zip(subs, shapes)):
        seen = {}
        for c, n in zip(s, shape):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, "
                                   f"{n} != {seen[c]}")
            seen[c] = n
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != 1 and n != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not broadcast "
                                   f"with previously seen size {prev}")
    return sizes


def _einsum(subs, out_sub, operands, node_cls=EinsumBackward, reshape_to=None):
    """Record ``einsum(subs -> out_sub)``, optionally reshaped to ``reshape_to`` (``kron``)."""
    arrays = [t._data for t in operands]
    for a in arrays[1:]:
        if a.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_SCALAR_NAME[arrays[0].dtype.name]} but found "
                               f"{_SCALAR_NAME[a.dtype.name]}")
    sizes = _letter_sizes(subs, [a.shape for a in arrays])
    res = np.einsum(",".join(subs) + "->" + out_sub, *arrays, optimize=len(arrays) > 1)
    if len(arrays) == 1:  # a single-operand einsum may return a view of its input: results own their memory
        res = np.array(res)
    inter_shape = np.shape(res)
    if reshape_to is not None:
        res = np.reshape(res, reshape_to)
    out = record(res, node_cls, tuple(operands))
    node = out.grad_fn
    if node is not None:
        node.subs, node.out_sub, node.arrays, node.sizes = subs, out_sub, arrays, sizes
        node.out_shape = None if reshape_to is None else inter_shape
        # the gradient of operand i reads every other operand
        node.save_versions(*(t for j, t in enumerate(operands)
                             if any(n is not None for i, n in enumerate(node.inputs) if i != j)))
    return out


def einsum(*args):
    """Einstein summation (``"ij,jk->ik"``, ellipses, implicit output, or the sublist form)."""
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    subs, out_sub = _parse(equation, [t.shape for t in operands])
    return _einsum(subs, out_sub, operands)


@tensor_method()
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` trailing dims of ``a`` with leading dims of ``b`` (or the listed dim pairs)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    dims_a = [d % a.ndim for d in dims_a]
    dims_b = [d % b.ndim for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{da - a.ndim if isinstance(dims, int) else da} and second has size "
                               f"{b.shape[db]} in dim {db}")
    sa = _LETTERS[:a.ndim]
    sb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for da, db in zip(dims_a, dims_b):
        sb[db] = sa[da]
    sb = "".join(sb)
    out_sub = "".join(c for i, c in enumerate(sa) if i not in dims_a) + \
        "".join(c for i, c in enumerate(sb) if i not in dims_b)
    return _write_out(_einsum([sa, sb], out_sub, [a, b]), out)


@tensor_method()
def inner(input, other, *, out=None):
    """Sum over the last dimension of both (a product when either is 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    sa = _LETTERS[:input.ndim]
    sb = _LETTERS[input.ndim:input.ndim + other.ndim - 1] + sa[-1]
    return _write_out(_einsum([sa, sb], sa[:-1] + sb[:-1], [input, other]), out)


@tensor_method()
def kron(input, other, *, out=None):
    """Kronecker product: every element of ``input`` times the whole of ``other``."""
    n = max(input.ndim, other.ndim)
    sa = _LETTERS[n - input.ndim:n]  # missing leading dims of the smaller operand have no letter
    sb = _LETTERS[2 * n - other.ndim:2 * n]
    shape_a = (1,) * (n - input.ndim) + tuple(input.shape)
    shape_b = (1,) * (n - other.ndim) + tuple(other.shape)
    # index the product as (a0, b0, a1, b1, ...), then merge each pair by the final reshape
    present = set(sa) | set(sb)
    out_sub = "".join(c for i in range(n) for c in (_LETTERS[i], _LETTERS[n + i]) if c in present)
    final = tuple(x * y for x, y in zip(shape_a, shape_b))
    return _write_out(_einsum([sa, sb], out_sub, [input, other], UnsafeViewEinsumBackward, final), out)


def chain_matmul(*matrices, out=None):
    """Deprecated product of several matrices (``linalg.multi_dot`` in new PyTorch)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    return _write_out(functools.reduce(mm, matrices), out)


# ---- beta * input + alpha * product -------------------------------------------------------------------
class AddmmBackward0(Node):
    """Backward of ``beta * input + alpha * (a @ b)``; subclasses only differ by PyTorch's name."""

    __slots__ = ("a", "b", "alpha", "beta", "summed")

    def backward(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        if self.summed:  # addbmm: the same gradient reaches every batch entry
            g = np.broadcast_to(g, (self.a.shape[0],) + g.shape)
        ga, gb = _matmul_grads(g, self.a, self.b, self.inputs[1] is not None, self.inputs[2] is not None) \
            if self.inputs[1] is not None or self.inputs[2] is not None else (None, None)
        return gi, ga, gb


class BaddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddmvBackward0(AddmmBackward0):
    __slots__ = ()


class AddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddrBackward0(Node):
    __slots__ = ("a", "b", "alpha", "beta")

    def backward(self, grad):
        gi = None
        if self.inputs[0] is not None:
            gi = grad if self.beta == 1 else grad * self.beta
        g = grad if self.alpha == 1 else grad * self.alpha
        ga = g @ self.b if self.inputs[1] is not None else None
        gb = self.a @ g if self.inputs[2] is not None else None
        return gi, ga, gb


def _add_product(input, t1, t2, prod, node_cls, beta, alpha, summed=False):
    """``beta * input + alpha * prod`` with ``input`` broadcast to the product's shape (never the reverse)."""
    x = input._data
    if x.dtype.kind in "iub" and (isinstance(beta, float) or isinstance(alpha, float)):
        which = "beta" if isinstance(beta, float) else "alpha"
        raise RuntimeError(f"For integral input tensors, argument {which} must not be a floating point number.")
    if x.shape != prod.shape:
        _check_expand(x.shape, prod.shape)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # PyTorch ignores input entirely (NaN and inf in it do not propagate)
        res = prod
    else:
        res = prod + (x if beta == 1 else x * beta)
    res = res.astype(prod.dtype, copy=False)
    out = record(res, node_cls, (input, t1, t2))
    node = out.grad_fn
    if node is not None:
        need_a, need_b = node.inputs[1] is not None, node.inputs[2] is not None
        node.a, node.b = t1._data, t2._data
        node.alpha, node.beta = alpha, beta
        if node_cls is not AddrBackward0:
            node.summed = summed
        node.save_versions(t1 if need_b else None, t2 if need_a else None)
    return out


def _check_expand(shape, target):
    if len(shape) > len(target):
        raise RuntimeError(f"The expanded size of the tensor ({target[0] if target else 1}) must match the "
                           f"existing size ({shape[0]}) at non-singleton dimension 0.  Target sizes: "
                           f"{list(target)}.  Tensor sizes: {list(shape)}")
    off = len(target) - len(shape)
    for i in range(len(shape) - 1, -1, -1):
        if shape[i] != 1 and shape[i] != target[off + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[off + i]}) must match the existing size "
                               f"({shape[i]}) at non-singleton dimension {off + i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _check_add_dtypes(input, a, b):
    if input.dtype != a.dtype or a.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_SCALAR_NAME[input.dtype.name]} and "
                           f"{_SCALAR_NAME[b.dtype.name if input.dtype == a.dtype else a.dtype.name]}")


@tensor_method()
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    a, b = mat1._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    _check_add_dtypes(input._data, a, b)
    _check_supported(a)
    return _write_out(_add_product(input, mat1, mat2, a @ b, AddmmBackward0, beta, alpha), out)


@tensor_method()
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    a, b = batch1._data, batch2._data
    _check_bmm(a, b)
    _check_add_dtypes(input._data, a, b)
    return _write_out(_add_product(input, batch1, batch2, np.matmul(a, b), BaddbmmBackward0, beta, alpha), out)


@tensor_method()
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    a, b = batch1._data, batch2._data
    _check_bmm(a, b)
    _check_add_dtypes(input._data, a, b)
    # sum_b a[b] @ b[b] is one GEMM of a laid out as (n, B*k) with b as (B*k, m)
    prod = a.transpose(1, 0, 2).reshape(a.shape[1], -1) @ b.reshape(-1, b.shape[2])
    return _write_out(_add_product(input, batch1, batch2, prod, AddbmmBackward0, beta, alpha, summed=True), out)


@tensor_method()
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    a, b = mat._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {a.ndim}, {b.ndim}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]})")
    if not input.dtype.np == a.dtype == b.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_SCALAR_NAME[input.dtype.name]}, {_SCALAR_NAME[a.dtype.name]}, and "
                           f"{_SCALAR_NAME[b.dtype.name]}")
    _check_supported(a)
    return _write_out(_add_product(input, mat, vec, a @ b, AddmvBackward0, beta, alpha), out)


@tensor_method()
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    a, b = vec1._data, vec2._data
    if a.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {b.ndim}-D")
    return _write_out(_add_product(input, vec1, vec2, np.multiply.outer(a, b), AddrBackward0, beta, alpha), out)


def _write_out(result, out):
    """PyTorch's ``out=`` argument: the result is written into ``out`` (resized as needed)."""
    if out is None:
        return result
    out._data = result._data.astype(out._data.dtype, copy=False)
    out._version[0] += 1
    return out


def _inplace(name, fn):
    def method(self, *args, **kwargs):
        from ._util import apply_inplace
        return apply_inplace(self, fn(self, *args, **kwargs))
    method.__name__ = name
    setattr(Tensor, name, method)


for _name, _fn in (("addmm_", addmm), ("baddbmm_", baddbmm), ("addbmm_", addbmm), ("addmv_", addmv),
                   ("addr_", addr)):
    _inplace(_name, _fn)
