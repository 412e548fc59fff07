"""Module hook plumbing: handles that remove hooks, and full backward hooks built from identity Functions.

A module with full backward hooks wraps the tensors entering and leaving ``forward`` in identity
``autograd.Function`` s. The output identity sees ``grad_output`` first (and runs the backward pre-hooks);
the input identity then sees ``grad_input`` and calls ``hook(module, grad_input, grad_output)``.
"""
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import Function
from ...utils.hooks import RemovableHandle


class HookHandle(RemovableHandle):
    """A RemovableHandle that also forgets the hook id in flag sets (``with_kwargs``, ``always_call``)."""

    def __init__(self, hooks_dict, extra=()):
        super().__init__(hooks_dict)
        self.extra = extra

    def remove(self):
        super().remove()
        for flags in self.extra:
            flags.pop(self.id, None) if isinstance(flags, dict) else flags.discard(self.id)


def add_hook(hooks_dict, hook, prepend=False, extra=()):
    """Store ``hook`` in ``hooks_dict`` (an OrderedDict) and return its handle."""
    handle = HookHandle(hooks_dict, extra)
    hooks_dict[handle.id] = hook
    if prepend:
        hooks_dict.move_to_end(handle.id, last=False)
    return handle


def _alias(t):
    """A new Tensor object on the same data and version counter (the identity op's output)."""
    out = Tensor._make(t._data)
    out._version_counter = t._version_counter
    return out


class _IdentityWithHook(Function):
    """Identity on tensors whose backward hands the gradients to ``callback`` (which may replace them)."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tuple(_alias(t) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


class BackwardHook:
    """Runs a module's full backward (pre-)hooks for one forward call."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.inputs_need_grad = False

    def setup_input_hook(self, args):
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(positions)
        self.input_slots = [i for i in positions if args[i]._requires_grad]
        self.tensor_positions = positions
        self.inputs_need_grad = bool(self.input_slots) and grad_mode._state.enabled
        if not self.inputs_need_grad:
            return args
        wrapped = _apply_identity(self._on_input_grads, [args[i] for i in self.input_slots])
        args = list(args)
        for i, t in zip(self.input_slots, wrapped):
            args[i] = t
        return tuple(args)

    def setup_output_hook(self, result):
        if not grad_mode._state.enabled:
            return result
        single = isinstance(result, Tensor)
        outs = [result] if single else list(result) if isinstance(result, (tuple, list)) else None
        if outs is None:
            return result
        slots = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o._requires_grad]
        if not slots:
            return result
        self.n_outputs = len(outs)
        self.output_slots = slots
        wrapped = _apply_identity(self._on_output_grads, [outs[i] for i in slots])
        for i, t in zip(slots, wrapped):
            outs[i] = t
        return outs[0] if single else type(result)(outs)

    def _on_output_grads(self, grads):
        grad_output = [None] * self.n_outputs
        for i, g in zip(self.output_slots, grads):
            grad_output[i] = g
        grad_output = tuple(grad_output)
        for hook in list(self.pre_hooks.values()):
            res = hook(self.module, grad_output)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(grad_output):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                       f"{len(res)}, but expected {len(grad_output)}")
                grad_output = res
        self.grad_outputs = grad_output
        if not self.inputs_need_grad:
            # No input takes part in autograd: PyTorch calls the hooks now, with None input gradients.
            self._run_hooks((None,) * self.n_inputs)
        return [grad_output[i] for i in self.output_slots]

    def _on_input_grads(self, grads):
        grad_input = [None] * self.n_inputs
        index = {pos: k for k, pos in enumerate(self.tensor_positions)}
        for pos, g in zip(self.input_slots, grads):
            grad_input[index[pos]] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return [grad_input[index[pos]] for pos in self.input_slots]

    def _run_hooks(self, grad_input):
        for hook in list(self.hooks.values()):
            res = hook(self.module, grad_input, self.grad_outputs)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(res)}, "
                                       f"but expected {len(grad_input)}")
                grad_input = res
        return grad_input


def _apply_identity(callback, tensors):
    out = _IdentityWithHook.apply(callback, *tensors)
    return out if isinstance(out, tuple) else (out,)
