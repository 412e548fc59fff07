"""Global switches for recording the autograd graph: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import functools

# A plain module-level flag: checked on every op, so it must be as cheap as possible to read.
_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _GradModeContext:
    """Base of the grad-mode switches; usable as context manager and as decorator."""

    _target = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._target

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _enabled[0]
            _enabled[0] = self._target
            try:
                return func(*args, **kwargs)
            finally:
                _enabled[0] = prev
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Ops inside do not record a graph; results have ``requires_grad=False``."""

    _target = False


class enable_grad(_GradModeContext):
    _target = True


class inference_mode(_GradModeContext):
    def __init__(self, mode=True):
        self._target = not mode


class set_grad_enabled(_GradModeContext):
    """Sets grad mode immediately (function form) and restores it on exit (context-manager form)."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._target = bool(mode)
        _enabled[0] = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def clone(self):
        return set_grad_enabled(self._target)

    def __call__(self, func):
        # Used as a decorator, the mode applies to calls only, not from decoration on.
        _enabled[0] = self._prev
        return super().__call__(func)
