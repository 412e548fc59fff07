"""Post-accumulate-grad hooks (``Tensor.register_post_accumulate_grad_hook``): called with a leaf tensor once its
``.grad`` has been accumulated in a backward pass (e.g. to step an optimizer inside backward).

They are kept by tensor id (a Tensor's ``==`` is elementwise, so tensors cannot be dictionary keys), and a
finalizer drops a tensor's hooks when it is garbage collected.
"""
import weakref

__all__ = ["register", "run"]

_hooks = {}


def register(tensor, hook):
    """Add ``hook(tensor)`` to ``tensor``'s post-accumulate hooks; returns the handle that removes it."""
    from ..utils.hooks import RemovableHandle
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = _hooks.get(id(tensor))
    if hooks is None:
        hooks = _hooks[id(tensor)] = {}
        weakref.finalize(tensor, _hooks.pop, id(tensor), None)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def run(tensor):
    """Call ``tensor``'s post-accumulate hooks (after its ``.grad`` was accumulated)."""
    hooks = _hooks.get(id(tensor))
    if hooks:
        for hook in list(hooks.values()):
            hook(tensor)
