"""einsum, tensordot, inner and kron (contractions expressed as einsum equations)."""
import numpy as np

from .._tensor import Tensor, tensor_method
from ..autograd.graph import Node, operand
from ._linear_grad import linear_grad
from ._util import record, zeros
from .products import _SCALAR_NAME, _write_out

__all__ = [
    "inner", "einsum", "tensordot", "kron",
]

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
            full = zeros([self.sizes[c] for c in sub], grad.dtype, like=grad)
            np.einsum(sub + "->" + unique, full)[...] = g
            return full
        return g

    def backward_graph(self, grad):
        if self.out_shape is not None:
            grad = grad.reshape(self.out_shape)
        operands = [operand(self, j, a) for j, a in enumerate(self.arrays)]
        grads = []
        for i, t in enumerate(self.inputs):
            if t is None:
                grads.append(None)
                continue
            sub = self.subs[i]
            unique = "".join(dict.fromkeys(sub))
            others = [(s, o) for j, (s, o) in enumerate(zip(self.subs, operands)) if j != i]
            available = set(self.out_sub).union(*(s for s, _ in others))
            kept = "".join(c for c in unique if c in available)
            g = _einsum([self.out_sub] + [s for s, _ in others], kept, [grad] + [o for _, o in others])
            if len(kept) != len(unique):  # letters summed in this operand only: broadcast the gradient back
                g = g.reshape([self.sizes[c] if c in kept else 1 for c in unique]).expand(
                    [self.sizes[c] for c in unique])
            if len(unique) != len(sub):  # repeated letters: the gradient lives on the diagonal
                g = _on_diagonal(g, sub, unique, [self.sizes[c] for c in sub])
            grads.append(g)
        return tuple(grads)


def _on_diagonal(g, sub, unique, shape):
    """The Tensor ``g`` (letters ``unique``) on the diagonal of zeros of letters ``sub`` (with repeats), recorded so
    that the diagonal's extraction is its gradient."""
    def embed(a):
        full = zeros(shape, a.dtype, like=a)
        np.einsum(sub + "->" + unique, full)[...] = a
        return full
    return linear_grad(g, embed, lambda h: np.einsum(sub + "->" + unique, h).copy())


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
        res = np.array(res, like=arrays[0])
    inter_shape = np.shape(res)
    if reshape_to is not None:
        res = np.reshape(res, reshape_to)
    # the gradient of operand i reads every other operand (a single operand's reads none)
    n = len(operands)
    reads = tuple((t, *(i for i in range(n) if i != j)) for j, t in enumerate(operands)) if n > 1 else ()
    return record(res, node_cls, tuple(operands), reads=reads, subs=subs, out_sub=out_sub, arrays=arrays, sizes=sizes,
                  out_shape=None if reshape_to is None else inter_shape)


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
