"""Shared plumbing of differentiable ops: operand conversion, type promotion, graph recording."""
import math
import warnings

import numpy as np

from .. import _dtype as dt
from .._device import same_device
from .._tensor import Tensor, normalize_dim  # noqa: F401  (normalize_dim: op modules import it here)
from ..autograd import anomaly_mode, grad_mode
from ..autograd._copy_slices import check_view_writable, rebase_region, rebase_view
from ..autograd.graph import Node, mark_overwritten, refresh_stale_view
from ._history_only import history_only


OUTPUT = "output"
"""Item of ``record(..., reads=...)`` meaning: backward reads the op's own (first) result."""


def record(out, node_cls, inputs, /, *, reads=(), **saved):
    """The op's result as Tensor(s) and, when autograd records, its one graph node: the only way to make a node.

    out: the result array, or a tuple of arrays (None where there is no output) for a multi-output node;
    a tuple gives a tuple of Tensors numbered in order. inputs: the operands in the order the node's
    ``backward`` returns their gradients (anything not a Tensor requiring grad gets none); nodes of a class with
    ``history_only_inputs`` hold stand-ins of them (``_ops/_history_only.py``). saved: values backward needs,
    set as node attributes. reads: the Tensors whose data backward reads, whose versions are checked against
    later in-place changes: a Tensor; ``(tensor, i, j, ...)`` for one read only to compute the gradient of
    ``inputs[i]`` (or ``inputs[j]``, ...); ``OUTPUT`` for the op's own (first) result; anything else (None,
    numbers) is skipped.
    """
    if grad_mode._state.enabled:
        for t in inputs:  # is_grad_recording, inlined: every op passes here (only Tensors require grad)
            if isinstance(t, Tensor) and t._requires_grad:
                break
        else:
            return _make(out) if type(out) is not tuple else _untracked(out)
        # Node.__init__'s work, inlined (one pass, no calls): every recorded op passes here
        if len(inputs) == 1 and isinstance(t, Tensor):  # a unary op: its input records (found above)
            if t._base is not None:
                refresh_stale_view(t)
            node_inputs = (history_only(t),) if node_cls.history_only_inputs else (t,)
            edges = ((t.grad_fn, t._output_nr),)
        else:
            stand_ins = node_cls.history_only_inputs
            node_inputs = []
            edges = []
            for t in inputs:
                if isinstance(t, Tensor) and t._requires_grad:
                    if t._base is not None:
                        refresh_stale_view(t)
                    node_inputs.append(history_only(t) if stand_ins else t)
                    edges.append((t.grad_fn, t._output_nr))
                else:
                    node_inputs.append(None)
                    edges.append(None)
            node_inputs = tuple(node_inputs)
            edges = tuple(edges)
        node = _new_node(node_cls)
        node.inputs = node_inputs
        node.edges = edges
        node._saved_versions = None
        node._released = False
        node._pre_hooks = None
        for k, v in saved.items():
            setattr(node, k, v)
        if anomaly_mode._state.enabled:
            anomaly_mode.record_forward(node)
        if type(out) is tuple:
            if getattr(node, "num_outputs", None) != len(out):  # a slot where the count varies per call
                node.num_outputs = len(out)
            res = tuple([None if o is None else _make(o, node, i) for i, o in enumerate(out)])
            if reads:
                node._saved_versions = _read_versions(node, reads, res[0])
            return res
        res = _make(out, node)
        if reads:
            node._saved_versions = _read_versions(node, reads, res)
        return res
    return _make(out) if type(out) is not tuple else _untracked(out)


_make = Tensor._make
_new_node = object.__new__


def _untracked(out):
    """The Tensors of a multi-output op's arrays, without history."""
    return tuple([None if o is None else _make(o) for o in out])


def _read_versions(node, reads, first):
    """``(tensor, version)`` now of each Tensor in ``reads`` that backward will read (see ``record``)."""
    inputs = node.inputs
    versions = []
    for t in reads:
        if type(t) is tuple:
            if inputs[t[1]] is None and (len(t) == 2 or all(inputs[i] is None for i in t[2:])):
                continue
            t = t[0]
        if t is OUTPUT:
            versions.append((SavedOutput(first), first._version_counter[0]))
        elif isinstance(t, Tensor):
            versions.append((t, t._version_counter[0]))
    return versions


def binary_arrays(a, b):
    """Arrays of two operands (Tensors or numbers) cast to PyTorch's result dtype.

    Python numbers of a category not above the tensor's are passed through as-is: numpy's NEP 50 rules then
    keep the tensor's dtype, which is PyTorch's behaviour, without a cast.
    """
    a_t = isinstance(a, Tensor)
    b_t = isinstance(b, Tensor)
    if a_t and b_t:
        x, y = a._data, b._data
        if type(x) is not type(y):  # a numpy and a device array (one device per array library here)
            x, y = same_device(x, y)
        if x.dtype is y.dtype or x.dtype == y.dtype:
            return x, y
        res = dt.result_type(a, b).np
        return x.astype(res, copy=False), y.astype(res, copy=False)
    if a_t:
        return _with_scalar(a._data, b, False)
    if b_t:
        return _with_scalar(b._data, a, True)
    raise TypeError("expected at least one Tensor operand")


def _with_scalar(arr, scalar, scalar_first):
    if isinstance(scalar, np.ndarray):
        scalar = Tensor._make(scalar)
        t = Tensor._make(arr)
        res = dt.result_type(t, scalar).np
        other = scalar._data.astype(res, copy=False)
        arr = arr.astype(res, copy=False)
        return (other, arr) if scalar_first else (arr, other)
    if isinstance(scalar, np.generic):
        scalar = scalar.item()
    cat = dt.scalar_category(scalar)
    if cat > dt._BY_NP[arr.dtype]._category:
        arr = arr.astype(dt.result_type(Tensor._make(arr), scalar).np)
    elif arr.dtype.kind == "u" and cat == 1 and scalar < 0:
        scalar = np.asarray(scalar, like=arr).astype(arr.dtype)
    return (scalar, arr) if scalar_first else (arr, scalar)


def broadcast_grad(grad, shape):
    """``np.broadcast_to(grad, shape)`` for a one-element gradient (a full reduction's); a small result is filled
    into a new array instead: numpy's ``broadcast_to`` costs ~2 us in Python, more than filling 4096 elements."""
    if type(grad) is np.ndarray and math.prod(shape) <= 4096:
        out = np.empty(shape, grad.dtype)
        out[...] = grad
        return out
    return np.broadcast_to(grad, shape)


def write_out(result, out):
    """PyTorch's ``out=`` argument of an op: ``result``'s values written into ``out``'s own memory (so a view's
    base sees them), cast to ``out``'s dtype, ``out`` resized where the shapes differ; its version bumped."""
    if out is None:
        return result
    data = result._data if isinstance(result, Tensor) else result
    if out._data.shape == data.shape and type(out._data) is type(data):
        np.copyto(out._data, data, casting="unsafe")
    else:  # PyTorch resizes ``out`` to the result's shape, warning unless it was empty
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(data.shape)}. This behavior is deprecated, and in a future PyTorch release outputs "
                          "will not be resized unless they have zero elements. You can explicitly reuse an out "
                          "tensor t by resizing it, inplace, to zero elements with t.resize_(0).", UserWarning,
                          stacklevel=3)
        out._data = data.astype(out._data.dtype, copy=False)
    out._version_counter[0] += 1
    return out


def zeros(shape, dtype, like):
    """``np.zeros(shape, dtype)`` on the device of array ``like`` (C order), e.g. a gradient scattered into zeros."""
    if type(like) is np.ndarray:
        return np.zeros(shape, dtype)
    return np.zeros_like(like, shape=shape, dtype=dtype, order="C")


def float_array(x):
    """Array of ``x`` as floating point or complex (ints and bools promote to the default dtype, like PyTorch)."""
    arr = x._data
    if arr.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
        arr = arr.astype(dt.get_default_dtype().np)
    return arr


def apply_inplace(self, result):
    """Give ``self`` the value (and graph history) of the out-of-place ``result``: PyTorch's in-place semantics.

    Ops whose backward reads ``self``'s old data record its version, so a later backward through them
    raises instead of silently using the overwritten values.
    """
    recording = result.grad_fn is not None
    if self._requires_grad and self.grad_fn is None and grad_mode._state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    src = result._data
    if src.dtype != self._data.dtype and not np.can_cast(src.dtype, self._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_legacy_name(src.dtype)} can't be cast to the desired output type "
                           f"{_legacy_name(self._data.dtype)}")
    if src.shape != self._data.shape and np.broadcast_shapes(src.shape, self._data.shape) != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(src.shape, self._data.shape))}")
    if self._base is not None:
        check_view_writable(self)
        if grad_mode._state.enabled:
            region = rebase_region(self, result)
            if region is not None:
                return _inplace_on_view(self, result, region)
    if recording:
        node = result.grad_fn
        _snapshot_old_self(self, node)
    np.copyto(self._data, src, casting="unsafe")
    self._version_counter[0] += 1
    if recording:
        self.grad_fn = node
        self._output_nr = result._output_nr
        self._requires_grad = True
        _track_output_as_self(self, result, node)
    elif self.grad_fn is not None and grad_mode._state.enabled:
        # A constant overwrote a tensor in the graph: it stays in the graph, but no gradient reaches its past.
        self.grad_fn = FillBackward0((self,))
        self._output_nr = 0
    return self


class FillBackward0(Node):
    """History of a tensor overwritten by a constant (``fill_``, ``zero_``, ``copy_`` of a constant)."""

    __slots__ = ()

    def backward(self, grad):
        return (None,)

    def backward_graph(self, grad):
        return (None,)


def _inplace_on_view(self, result, region):
    """In-place write through a view while autograd records: the base takes a ``CopySlices`` history."""
    node = result.grad_fn
    if node is not None:
        _snapshot_old_self(self, node)
    src = result._data
    rebase_view(self, result, region)
    np.copyto(self._data, src, casting="unsafe")
    self._version_counter[0] += 1
    if node is not None:
        _track_output_as_self(self, result, node)
    return self


def _snapshot_old_self(self, node):
    """Copy what ``node`` saved of ``self``'s data before it is overwritten.

    PyTorch clones ``self`` for an in-place op whose backward reads its old value, so that backward works
    and no version error is raised for the op's own write.
    """
    mark_overwritten(node, self)
    data = self._data
    for slot in node.saved_slot_names:
        value = getattr(node, slot, None)
        if type(value) is np.ndarray and np.may_share_memory(value, data):
            setattr(node, slot, value.copy())
    if node._saved_versions:
        node._saved_versions = [(t, v) for t, v in node._saved_versions if t is not self]


def _track_output_as_self(self, result, node):
    """An op whose backward reads its own output now has ``self`` as that output: check ``self``'s version."""
    saved = node._saved_versions
    if saved:
        node._saved_versions = [(SavedOutput(self), self._version_counter[0]) if isinstance(t, SavedOutput)
                                and t._version_counter is result._version_counter else (t, v) for t, v in saved]


class SavedOutput:
    """Version handle of an op's output saved for backward, without holding the output Tensor (no ref cycle)."""

    __slots__ = ("_version_counter", "shape", "_np_dtype")

    def __init__(self, t):
        self._version_counter = t._version_counter
        self.shape = t._data.shape
        self._np_dtype = t._data.dtype

    def type(self):
        return dt.LEGACY_NAME[dt._BY_NP[self._np_dtype]]


def inplace_variant(name, fn):
    """Attach Tensor method ``name``: ``fn`` computed out of place, then written into ``self`` (``x.op_()``)."""
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn(self, *args, **kwargs))
    _name_as_tensor_method(method, name)
    method.__doc__ = f"In-place ``{fn.__name__}``: the result is written into ``self``."
    setattr(Tensor, name, method)
    return method


def _name_as_tensor_method(method, name):
    """Name a generated method ``Tensor.<name>``, where pickle (and introspection) finds it by name."""
    method.__name__ = name
    method.__qualname__ = f"{Tensor.__qualname__}.{name}"
    method.__module__ = Tensor.__module__


def _legacy_name(np_dtype):
    """PyTorch's scalar-type name used in error messages: ``Float``, ``Long``, ``Bool`` ..."""
    return dt.LEGACY_NAME[dt._BY_NP[np.dtype(np_dtype)]][len("torch."):-len("Tensor")]


def broadcast_error(*shapes):
    """PyTorch's message for operands whose shapes do not broadcast (rightmost mismatch)."""
    a, b = shapes[0], shapes[1]
    if len(shapes) > 2 and broadcastable(a, b):
        a = np.broadcast_shapes(a, b)
        b = shapes[2]
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            return RuntimeError(f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) at "
                                f"non-singleton dimension {d}")
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast")


def broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False
