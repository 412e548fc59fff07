"""Tensor: a numpy array plus the autograd bookkeeping PyTorch users expect.

Math, shape and indexing methods live in ``numbatorch/_ops`` and are attached to the class there with
``tensor_method``; conversions, ``new_*`` factories and the Python protocol come from base classes in
``_tensor_conversions``, ``_tensor_factories`` and ``_tensor_protocol``; this file holds storage, properties,
pickling and autograd (``backward``, hooks).
"""
import threading

import numpy as np

from . import _dtype as dt
from ._device import device_of, is_device_array
from ._size import Size
from ._tensor_conversions import TensorConversions
from ._tensor_factories import TensorFactories
from ._tensor_protocol import TensorProtocol
from .autograd import backward as _autograd_backward, grad_mode
from .autograd._grad_buffer import add_into
from .autograd.engine import OWN_DTYPE, leaf_grad_np_dtype


# Threads that backpropagate into shared leaves at once must not lose each other's sums (PyTorch locks here too).
_grad_accumulation = threading.Lock()

_new_object = object.__new__  # bound once: _make runs for every op's result


def tensor_method(*names):
    """Attach the decorated function to Tensor under ``names`` (default: its own name)."""

    def register(fn):
        for name in names or (fn.__name__,):
            setattr(Tensor, name, fn)
        return fn

    return register


class Tensor(TensorConversions, TensorFactories, TensorProtocol):
    """A multi-dimensional array with reverse-mode automatic differentiation."""

    # _version_counter: a one-element list, the version counter that views share with their base
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_version_counter", "_base",
                 "_backward_hooks", "_retains_grad", "_view_base_fn", "_grad_dtype", "__weakref__")
    # Make numpy defer to Tensor's reflected operators (ndarray * tensor -> Tensor).
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, device=None):
        """Legacy constructor: ``Tensor(3, 4)`` (uninitialised float32), ``Tensor([1, 2])``, ``Tensor()``."""
        if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
            data = args[0]
            if isinstance(data, Tensor):
                data = data._data
            arr = np.array(data, dtype=dt.get_default_dtype().np)
        else:
            sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
            if not sizes:
                sizes = (0,)
            arr = np.empty(tuple(int(s) for s in sizes), dtype=dt.get_default_dtype().np)
        _init(self, arr)

    @staticmethod
    def _make(data, grad_fn=None, output_nr=0):
        """Wrap an ndarray (or a device array, which stays on its device) without copying; the hot path of every op."""
        if type(data) is not np.ndarray and not is_device_array(data):
            data = np.asarray(data)
        t = _new_object(Tensor)
        t._data = data
        t._requires_grad = grad_fn is not None
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._version_counter = [0]
        t._base = None
        t._backward_hooks = None
        t._retains_grad = False
        t._view_base_fn = None
        t._grad_dtype = OWN_DTYPE
        return t

    @classmethod
    def _make_subclass(cls, sub, data, require_grad=False):
        t = object.__new__(sub)
        _init(t, data._data if isinstance(data, Tensor) else data if is_device_array(data) else np.asarray(data))
        t._requires_grad = bool(require_grad)
        return t

    # ---- basic properties -------------------------------------------------------------------------
    @property
    def shape(self):
        """The size of each dimension, as a ``numbatorch.Size``."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape as a ``numbatorch.Size``, or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        """The element type, a ``numbatorch.dtype``."""
        return dt._BY_NP[self._data.dtype]

    @property
    def device(self):
        """The device holding the data: ``device('cpu')`` or ``device('cuda', index)``."""
        return device_of(self._data)

    @property
    def is_cuda(self):
        """Whether the data lives on a CUDA device."""
        return type(self._data) is not np.ndarray and is_device_array(self._data)

    is_sparse = False  # numbatorch._sparse_coo.SparseCooTensor overrides it

    @property
    def layout(self):
        """The memory layout: ``strided`` (dense), or ``sparse_coo`` for sparse tensors."""
        from ._layout import sparse_coo, strided
        return sparse_coo if self.is_sparse else strided

    @property
    def is_cpu(self):
        """Whether the data lives in host memory."""
        return not self.is_cuda

    # Devices and layouts numbatorch tensors never have; PyTorch programs branch on these flags.
    is_xpu = is_mps = is_meta = is_quantized = is_mkldnn = is_vulkan = is_ipu = is_xla = is_maia = is_mtia = \
        is_nested = property(lambda self: False, doc="Always False: numbatorch tensors are dense CPU or CUDA tensors.")

    @property
    def ndim(self):
        """The number of dimensions."""
        return self._data.ndim

    def dim(self):
        """The number of dimensions; ``ndimension`` is an alias."""
        return self._data.ndim

    ndimension = dim

    def numel(self):
        """The number of elements; ``nelement`` is an alias."""
        return self._data.size

    nelement = numel

    def element_size(self):
        """The size of one element in bytes."""
        return self._data.itemsize

    def stride(self, dim=None):
        """The step in elements between neighbours along each dimension, or along ``dim``."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[normalize_dim(dim, self._data.ndim)]

    def data_ptr(self):
        """The address of the first element."""
        return self._data.__array_interface__["data"][0]

    def share_memory_(self):
        """Move this tensor's memory into shared memory, which processes it is sent to then use too."""
        from .multiprocessing._shared_memory import is_shared_array, share_array
        if not is_shared_array(self._data):
            if self._base is not None:
                raise RuntimeError(f"share_memory_: this tensor of shape {tuple(self.shape)} is a view of another "
                                   "tensor's memory; numbatorch can only move a whole tensor, so call "
                                   "share_memory_() on the tensor it views")
            self._data = share_array(self._data)
        return self

    def is_shared(self):
        """Whether this tensor's memory is in shared memory (``share_memory_()`` or received from a process)."""
        from .multiprocessing._shared_memory import is_shared_array
        return is_shared_array(self._data)

    def is_floating_point(self):
        """Whether the dtype is a floating-point type."""
        return self._data.dtype.kind in dt.FLOAT_KINDS

    def is_complex(self):
        """Whether the dtype is a complex type."""
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format=None):
        """Whether the elements are laid out in row-major (C) order without gaps."""
        return self._data.flags.c_contiguous

    @property
    def is_leaf(self):
        """Whether the tensor is a leaf of the autograd graph (created by the user, not by a recorded op)."""
        return self.grad_fn is None

    @property
    def requires_grad(self):
        """Whether autograd records operations on this tensor; settable on leaves."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in dt.DIFFERENTIABLE_KINDS:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Sets ``requires_grad`` in place; returns self."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` for a leaf (or a tensor that ``retain_grad()``), else ``None``."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None and tuple(value.shape) != self._data.shape:
            raise RuntimeError("assigned grad has data of a different size")
        if value is not None and self.grad_fn is None:
            want = leaf_grad_np_dtype(self)
            if want is not None and value._data.dtype != want:
                got = value.dtype._scalar_name.lower()
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{got}' to a tensor with grad_dtype "
                    f"'{dt._BY_NP[want]._scalar_name}'. The gradient must match the tensor's grad_dtype (defaults to "
                    "the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None "
                    "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
        self._grad = value

    @property
    def grad_dtype(self):
        """The dtype autograd casts this leaf's incoming gradients to (default: its own dtype; ``None``: any)."""
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        want = leaf_grad_np_dtype(self)
        return None if want is None else dt._BY_NP[want]

    @grad_dtype.setter
    def grad_dtype(self, value):
        if self.grad_fn is not None:
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        if value is not None and not isinstance(value, dt.dtype):
            raise RuntimeError(f"grad_dtype must be a torch.dtype or None, but got {type(value).__name__}")
        self._grad_dtype = None if value is None else value.np

    @property
    def name(self):
        """Always ``None``: PyTorch's read-only tensor name, which only its tracer fills in."""
        return None

    @property
    def data(self):
        """The same storage, detached from the graph and hidden from its saved-tensor checks (own version)."""
        t = self.detach()
        t._version_counter = [0]
        return t

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def output_nr(self):
        """The index of this tensor among the outputs of the op that produced it."""
        return self._output_nr

    @property
    def _version(self):
        """How many times the data was changed in place (shared with views): what saved-tensor checks compare."""
        return self._version_counter[0]

    # ---- pickling and copying -------------------------------------------------------------------
    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (type(self), self._data, self._requires_grad, _dict_of(self)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = Tensor._make_subclass(type(self), self._data.copy(), self._requires_grad)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = Tensor._make(self._grad._data.copy())
        state = _dict_of(self)
        if state:
            import copy
            new.__dict__.update(copy.deepcopy(state, memo))
        return new

    # ---- autograd ---------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Computes the gradient of this tensor with respect to the graph's leaves, accumulating into ``.grad``.

        ``gradient`` is required for non-scalar tensors; ``retain_graph`` keeps the graph for another
        backward; ``create_graph`` records the backward pass for higher-order gradients; ``inputs`` limits
        the accumulation to those tensors.
        """
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient; it may return a replacement."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.add_tensor_hook(self._output_nr, hook)
        from .utils.hooks import RemovableHandle
        if self._backward_hooks is None:
            self._backward_hooks = {}
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        import weakref
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is None or grad is None:
                return
            if t._grad is not None:
                t._grad = t._grad + grad
            else:  # under create_graph a copy that keeps the gradient's graph, as PyTorch's clone
                t._grad = grad.clone() if grad._requires_grad else Tensor._make(grad._data.copy())
        self.grad_fn.add_tensor_hook(self._output_nr, keep, retains_grad=True)

    @property
    def retains_grad(self):
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains_grad

    def _accumulate_grad(self, grad, owned=False):
        """``.grad += grad``; ``owned``: nothing else references the array ``grad``, so ``.grad`` may take it."""
        with _grad_accumulation:
            if self._grad is None:
                self._grad = Tensor._make(grad if owned else grad.copy())  # a device gradient stays on its device
            else:
                add_into(self._grad._data, grad)
                self._grad._version_counter[0] += 1


def _init(t, arr):
    t._data = arr
    t._requires_grad = False
    t._grad = None
    t.grad_fn = None
    t._output_nr = 0
    t._version_counter = [0]
    t._base = None
    t._backward_hooks = None
    t._retains_grad = False
    t._view_base_fn = None
    t._grad_dtype = OWN_DTYPE


def _dict_of(t):
    return getattr(t, "__dict__", None) or {}


def _rebuild_tensor(cls, data, requires_grad, state):
    t = Tensor._make_subclass(cls, data, requires_grad)
    if state:
        t.__dict__.update(state)
    return t


def normalize_dim(dim, ndim):
    """``dim`` as a non-negative axis of an ``ndim``-d tensor (a 0-d tensor accepts 0 and -1, like PyTorch)."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def is_grad_recording(*tensors):
    """True when an op on ``tensors`` must record a graph node."""
    if not grad_mode._state.enabled:
        return False
    for t in tensors:
        if t is not None and t.__class__ is not int and getattr(t, "_requires_grad", False):
            return True
    return False
