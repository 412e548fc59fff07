"""The user's allow-list for ``load(weights_only=True)``: ``add_safe_globals`` and friends, as in PyTorch.

Like PyTorch's, the list is process-wide (not per thread). Each entry is a class or function, or a
``(object, "full.path")`` tuple that names the path the checkpoint uses for it.
"""
__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]

_marked = set()


def add_safe_globals(safe_globals):
    """Mark ``safe_globals`` (classes/functions, or ``(obj, "module.name")`` tuples) as safe to load."""
    global _marked
    _marked = _marked.union(safe_globals)


def get_safe_globals():
    """The globals added with ``add_safe_globals`` (or an active ``safe_globals`` block), as a list."""
    return list(_marked)


def clear_safe_globals():
    """Forget every global added with ``add_safe_globals``."""
    global _marked
    _marked = set()


class safe_globals:
    """Context manager: ``with safe_globals([MyClass]): load(f)`` allows the globals only inside the block."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        global _marked
        _marked = _marked - set(self.safe_globals)
        return False


def user_allowed_globals():
    """``{"module.qualname": object}`` for the user's entries (checked here, when a load uses them)."""
    allowed = {}
    for entry in _marked:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), but got tuple of "
                                 f"length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, but got: "
                                f"{type(entry[1])}")
            obj, path = entry
            allowed[path] = obj
        else:
            allowed[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return allowed
