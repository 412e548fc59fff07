"""``autograd.Function``: user-defined ops with ``forward(ctx, ...)`` and ``backward(ctx, ...)``."""
import numpy as np

from .. import _dtype, _tensor
from . import grad_mode
from .graph import Node


class FunctionCtx:
    """The ``ctx`` object: stores tensors and attributes from forward for backward."""

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = [(t, t._version_counter[0]) for t in tensors if isinstance(t, _tensor.Tensor)]

    @property
    def saved_tensors(self):
        if getattr(self, "_released", False):
            raise RuntimeError("Trying to backward through the graph a second time (or directly access saved "
                               "tensors after they have already been freed).")
        for t, version in getattr(self, "_saved_versions", ()):
            if t._version_counter[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.type()} {list(t.shape)}] is at version {t._version_counter[0]}; expected version "
                    f"{version} instead.")
        return getattr(self, "_saved", ())

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self._materialize_grads = value


class BackwardCFunction(Node):
    """Graph node of a user Function: converts arrays to Tensors and calls the user's backward."""

    __slots__ = ("ctx", "fn_cls", "output_shapes", "num_outputs")

    def name(self):
        return self.fn_cls.__name__ + "Backward"

    def backward(self, grads):
        if self.num_outputs == 1:
            grads = (grads,)
        grads = tuple(_tensor.Tensor._make(np.zeros(shape, dtype, like=kind) if g is None else g)
                      for g, (shape, dtype, kind) in zip(grads, self.output_shapes))
        return tuple(None if g is None else (g._data if isinstance(g, _tensor.Tensor) else np.asarray(g))
                     for g in self._user_backward(grads))

    def backward_graph(self, grads):
        """Under ``create_graph=True`` the user's backward runs on the gradient Tensors with grad mode on, so
        it is differentiable where it is written with differentiable ops (as in PyTorch)."""
        if self.num_outputs == 1:
            grads = (grads,)
        grads = tuple(_tensor.Tensor._make(np.zeros(shape, dtype, like=kind)) if g is None else g
                      for g, (shape, dtype, kind) in zip(grads, self.output_shapes))
        return tuple(g if g is None or isinstance(g, _tensor.Tensor) else _tensor.Tensor._make(np.asarray(g))
                     for g in self._user_backward(grads))

    def _user_backward(self, grads):
        result = self.fn_cls.backward(self.ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) < len(self.inputs):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{len(self.inputs)}, got {len(result)})")
        return result[:len(self.inputs)]

    def release(self):
        self.ctx._released = True
        self.ctx._saved = None
        self._released = True


def _attach_node(cls, ctx, args, outs):
    """Give the differentiable outputs of ``cls.forward`` one ``BackwardCFunction`` node, made by ``record``.

    ``record`` wraps arrays in new Tensors, but a Function's outputs must stay the Tensors its forward
    returned (they may be saved in ``ctx``, or be an input it marked dirty), so the node ``record`` made is
    moved onto them; an output that is an undirtied input becomes a view of it, as in PyTorch."""
    from .._ops._util import record  # _ops imports the Tensor class, which imports autograd: import at use
    non_diff = getattr(ctx, "_non_differentiable", ())
    dirty = getattr(ctx, "_dirty", ())
    differentiable = [isinstance(o, _tensor.Tensor) and id(o) not in non_diff
                      and o._data.dtype.kind in _dtype.DIFFERENTIABLE_KINDS
                      for o in outs]
    # an empty array of each output's kind: the zero gradients of unused outputs are made on its device
    shapes = [(o._data.shape, o._data.dtype, np.empty_like(o._data, shape=0)) if isinstance(o, _tensor.Tensor)
              else ((), np.float32, None) for o in outs]
    made = record(tuple(o._data if d else None for o, d in zip(outs, differentiable)), BackwardCFunction, args,
                  ctx=ctx, fn_cls=cls, output_shapes=shapes)
    result = []
    for o, d, m in zip(outs, differentiable, made):
        if d:
            if any(o is a for a in args):
                if any(o is t for t in dirty):
                    if o.grad_fn is None and o._requires_grad:
                        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                                           "operation.")
                else:
                    o = o.view_as(o)
            o.grad_fn, o._output_nr, o._requires_grad = m.grad_fn, m._output_nr, True
        result.append(o)
    return tuple(result)


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensors = [a for a in args if isinstance(a, _tensor.Tensor)]
        recording = _tensor.is_grad_recording(*tensors)
        ctx.needs_input_grad = tuple(isinstance(a, _tensor.Tensor) and a._requires_grad and recording for a in args)
        with grad_mode.no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if recording:
            outs = _attach_node(cls, ctx, args, outs)
        return outs[0] if single else outs
