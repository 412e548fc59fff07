"""In-place arithmetic, ``addcmul_``/``addcdiv_``/``lerp_`` and ``relu_`` written straight into the tensor's array
when no graph is recorded.

``inplace_variant`` gives every in-place op PyTorch's semantics by computing it out of place and copying the
result in: a new array per step, a second pass over memory and ~7 us of checks. Where nothing is recorded (grad
mode off, or no operand requires grad) and the operands are the plain case -- a float32/float64 CPU tensor, Python
numbers, tensors of its dtype that broadcast to its shape and overlap it wholly or not at all -- the out-of-place
op's steps write into ``self``'s array instead: numpy's ufunc with ``out``, or one fused pass
(``backends/cpu/_inplace_kernels``). Same bits (where both terms of a sum are NaN, the first one's: the
out-of-place expressions pick either by array size) and the same version bump. Every other case takes the general
path, which also raises PyTorch's errors.

While a graph is recorded, ops whose backward never reads ``self``'s old value -- ``add_``/``sub_`` (and ``+=``,
``-=``), ``relu_``, which reads only its result, and ``mul_``/``div_`` by an operand requiring no grad -- also
write straight into a ``self`` that is neither a leaf requiring grad nor a view, then record the out-of-place op's
node on the result (``self``'s old history as its input), as ``apply_inplace`` does after its copy:
``nn.ReLU(inplace=True)`` and a residual ``out += identity`` on 16x32x64x64 while training cost 0.8 ms (a new
8 MiB array and its copy) over the out-of-place op.

Measured on 2 threads beside PyTorch 2.13: ``add_``, ``mul_`` and ``relu_`` on a 1024 x 1024 float32 tensor took
3.4x, 9.5x and 12x PyTorch's time through the copy (1.2x, 1.1x and 1.0x now, relu_ with its own kernel); a
hand-written SGD-with-momentum step 2.8x (1.4x) and a hand-written Adam step 3.7x (1.4x, ``benchmarks/bench_core.py``).
"""
import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..backends.cpu import _arithmetic_kernels as threaded, _inplace_kernels as fused, pointwise
from ._history_only import history_only
from ._util import OUTPUT, _name_as_tensor_method, _track_output_as_self, apply_inplace, record
from ..autograd.graph import mark_overwritten

def _writable_float(self, records=False):
    """``self``'s array when an in-place op may write into it directly: float32/64 numpy data, writable, and
    either grad mode off or ``self`` outside any graph -- or, for an op that ``records`` its node itself, ``self``
    in a graph but neither a leaf (PyTorch's error comes from the general path) nor a view (whose base takes the
    history there)."""
    data = self._data
    if type(data) is not np.ndarray or data.dtype not in threaded.FLOAT_DTYPES or not data.flags.writeable:
        return None
    if self._requires_grad and grad_mode._state.enabled and not (records and self.grad_fn is not None and
                                                                   self._base is None):
        return None
    return data


def _direct_operand(data, other, records=False):
    """``other`` as the operand of ``ufunc(data, other, out=data)``, computing what the out-of-place op computes,
    or None: a Python float or int (numpy keeps ``data``'s dtype, as binary_arrays does), or a CPU tensor of
    ``data``'s dtype that broadcasts to its shape, is the same array, or shares no memory with it. One requiring
    grad while grad mode is on only for an op that ``records`` its node itself."""
    kind = type(other)
    if kind is float or kind is int:
        return other
    if not isinstance(other, Tensor) or (other._requires_grad and grad_mode._state.enabled and not records):
        return None
    y = other._data
    if type(y) is not np.ndarray or y.dtype != data.dtype:
        return None
    if y.shape != data.shape:
        if y.ndim > data.ndim or any(a != b and a != 1 for a, b in zip(y.shape[::-1], data.shape[::-1])):
            return None
    # two arrays owning their memory cannot overlap (the cheap proof: may_share_memory costs 0.3 us)
    if y is not data and not (y.flags.owndata and data.flags.owndata) and np.may_share_memory(y, data):
        return None
    return y


def _records(self, other=None):
    """Whether an op on the Tensor ``self`` and ``other`` records a node: grad mode on and one of them requiring
    grad (no loop: every in-place op with grad mode on asks)."""
    return grad_mode._state.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))


def _take_history(self, result):
    """``self``, whose array already holds ``result``'s values, as the output of ``result``'s node: what
    ``apply_inplace`` does after its copy. The node saved nothing of ``self``'s old value (the ops that record here
    never read it); what it saved of its result is ``self``'s array, checked against ``self``'s version."""
    node = result.grad_fn
    mark_overwritten(node, self)
    self.grad_fn = node
    self._output_nr = result._output_nr
    self._requires_grad = True
    _track_output_as_self(self, result, node)
    return self


def direct_binary(name, fn, ufunc, takes_alpha=False, before=None, node=None, saves_other=False):
    """In-place ``fn`` (an out-of-place binary op; add and sub take ``alpha``) that writes ``ufunc``'s result
    straight into ``self`` where it can (module docstring), else through ``apply_inplace``. ``before``: called
    before a direct write (the division's warning filter). ``node``: ``fn``'s node class, recorded by the op
    itself: add's and sub's read neither operand (``alpha`` saved); mul's and div's (``saves_other``) read only the
    other operand for ``self``'s gradient, so they record here while that operand requires no grad (saved as
    ``b``, its version checked)."""
    records = node is not None

    def method(self, other, *args, **kwargs):
        data = None if args or (kwargs and not (takes_alpha and kwargs.keys() == {"alpha"})) else \
            _writable_float(self, records)
        y = None if data is None else _direct_operand(data, other, records)
        recording = y is not None and records and _records(self, other)
        if y is None or (recording and (self._base is not None or (saves_other and (
                y is data or (isinstance(other, Tensor) and other._requires_grad))))):
            return apply_inplace(self, fn(self, other, *args, **kwargs))
        alpha = kwargs.get("alpha", 1)
        if before is not None:
            before()
        if alpha == 1:
            if threaded.small(data.size):
                ufunc(data, y, out=data)
            else:
                threaded.run(ufunc, data, y, data)
        elif type(y) is np.ndarray:
            fused.scaled(ufunc, data, y, alpha)  # as the out-of-place op: y * alpha, then the ufunc
        else:
            threaded.run(ufunc, data, y * alpha, data)
        self._version_counter[0] += 1
        if not recording:
            return self
        if saves_other:
            return _take_history(self, record(data, node, (history_only(self), other), reads=((other, 0),), a=None,
                                              b=y))
        return _take_history(self, record(data, node, (self, other), alpha=alpha))
    return _attach(method, name, fn)


def direct_addc(name, fn, divide):
    """In-place ``addcmul`` (``addcdiv`` with ``divide``), ``fn``, fused where it can (module docstring), else
    through ``apply_inplace``."""
    kernel = fused.addcdiv if divide else fused.addcmul

    def method(self, tensor1, tensor2, *args, value=1, **kwargs):
        data = None if args or kwargs or type(value) not in (float, int) else _writable_float(self)
        a = None if data is None else _direct_operand(data, tensor1)
        b = None if a is None or type(a) is not np.ndarray else _direct_operand(data, tensor2)
        if b is None or type(b) is not np.ndarray:
            return apply_inplace(self, fn(self, tensor1, tensor2, *args, value=value, **kwargs))
        kernel(data, a, b, value)
        self._version_counter[0] += 1
        return self
    return _attach(method, name, fn)


def direct_lerp(name, fn):
    """In-place ``lerp`` by a Python number weight, fused where it can, else through ``apply_inplace``."""
    def method(self, end, weight):
        data = _writable_float(self) if type(weight) in (float, int) else None
        e = None if data is None else _direct_operand(data, end)
        if e is None or type(e) is not np.ndarray:
            return apply_inplace(self, fn(self, end, weight))
        fused.lerp(data, e, weight)
        self._version_counter[0] += 1
        return self
    return _attach(method, name, fn)


def direct_relu(name, fn, node):
    """In-place ``relu``: negatives set to 0 in ``self``'s array where it can, else through ``apply_inplace``;
    recorded as ``node`` reading its result (``self``) while a graph is recorded."""
    def method(self):
        data = _writable_float(self, records=True)
        if data is None:
            return apply_inplace(self, fn(self))
        pointwise.relu_(data)
        self._version_counter[0] += 1
        if _records(self):
            return _take_history(self, record(data, node, (self,), reads=(OUTPUT,), result=data))
        return self
    return _attach(method, name, fn)


def _attach(method, name, fn):
    """``method`` as ``Tensor.<name>``, documented as the in-place ``fn``."""
    _name_as_tensor_method(method, name)
    method.__doc__ = f"In-place ``{fn.__name__}``: the result is written into ``self``."
    setattr(Tensor, name, method)
    return method
