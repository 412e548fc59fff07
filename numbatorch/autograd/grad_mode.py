"""Per-thread switches for recording the autograd graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

As in PyTorch, grad mode belongs to the calling thread: a ``no_grad()`` block in one thread never changes
what another thread records, and every new thread starts with grad enabled and inference mode off.
"""
import functools
import threading


class _GradState(threading.local):
    """This thread's grad mode; ``__init__`` runs once in each thread that reads it (PyTorch's defaults)."""

    def __init__(self):
        self.enabled = True
        self.inference = False


# Read on every op as ``_state.enabled``: one attribute read on a thread-local, as cheap as a global flag.
_state = _GradState()


def is_grad_enabled():
    """True when ops in this thread record the autograd graph."""
    return _state.enabled


def is_inference_mode_enabled():
    """True inside an ``inference_mode()`` block of this thread."""
    return _state.inference


class _GradModeContext:
    """Base of the grad-mode switches; usable as context manager and as decorator."""

    _target = True

    def __enter__(self):
        self._prev = _state.enabled
        _state.enabled = self._target

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecorator(_GradModeContext):
    """Also usable as a bare decorator, ``@no_grad`` as well as ``@no_grad()``, as in PyTorch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        pass


class no_grad(_NoParamDecorator):
    """Ops inside do not record a graph; results have ``requires_grad=False``."""

    _target = False


class enable_grad(_NoParamDecorator):
    """Ops inside record a graph again, also within an enclosing ``no_grad()``."""

    _target = True


class inference_mode(_GradModeContext):
    """``inference_mode()`` turns grad off (and inference mode on); ``inference_mode(False)`` the reverse."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._target = not self.mode

    def __enter__(self):
        self._prev_inference = _state.inference
        super().__enter__()
        _state.inference = self.mode

    def __exit__(self, *exc):
        _state.inference = self._prev_inference
        return super().__exit__(*exc)

    def clone(self):
        return self.__class__(self.mode)


class set_grad_enabled(_GradModeContext):
    """Sets grad mode immediately (function form) and restores it on exit (context-manager form)."""

    def __init__(self, mode):
        self._prev = _state.enabled
        self._target = bool(mode)
        _state.enabled = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def clone(self):
        return set_grad_enabled(self._target)

    def __call__(self, func):
        # Used as a decorator, the mode applies to calls only, not from decoration on.
        _state.enabled = self._prev

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _state.enabled
            _state.enabled = self._target
            try:
                return func(*args, **kwargs)
            finally:
                _state.enabled = prev
        return wrapper
