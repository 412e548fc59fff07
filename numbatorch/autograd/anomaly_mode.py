"""Anomaly detection: ``detect_anomaly``, ``set_detect_anomaly``, ``is_anomaly_enabled``, as in PyTorch.

While enabled, every graph node remembers the stack of the forward call that made it; a backward step that
fails (or, with ``check_nan``, returns NaN) warns with that stack. As in PyTorch the switch is process-wide,
not per thread.
"""
import os
import traceback
import warnings
import weakref

import numpy as np

from .graph import complex_backward

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


class _AnomalyState:
    """The process-wide switch, read once per recorded op and per backward step."""

    enabled = False
    check_nan = True


_state = _AnomalyState()
# node -> the forward stack that created it; entries go away with their nodes
_forward_stacks = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _state.enabled


def is_anomaly_check_nan_enabled():
    """True while anomaly detection also checks backward results for NaN."""
    return _state.check_nan


class detect_anomaly:
    """Context manager that turns anomaly detection on, restoring the previous mode on exit."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = (_state.enabled, _state.check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)
        _state.enabled, _state.check_nan = True, self.check_nan

    def __exit__(self, *exc):
        _state.enabled, _state.check_nan = self._prev
        return False


class set_detect_anomaly:
    """Turns anomaly detection on or off now (function form); as a context manager, restores it on exit."""

    def __init__(self, mode, check_nan=True):
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled, _state.check_nan = self._prev
        return False


def record_forward(node):
    """Remember where ``node`` was made (called by ``record`` while anomaly detection is on)."""
    stack = traceback.extract_stack()
    # the user's frames: numbatorch's own ones would only bury the line that made the node
    user = [frame for frame in stack if not frame.filename.startswith(_PACKAGE_DIR)]
    _forward_stacks[node] = user or stack


def _warn_forward_stack(node):
    stack = _forward_stacks.get(node)
    if stack is not None:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                      + "".join(traceback.format_list(stack)), stacklevel=2)


def checked_backward(node, out_grads):
    """``node``'s backward step (as a tuple), warning with its forward stack if it fails or returns NaN."""
    grad = out_grads[0] if node.num_outputs == 1 else out_grads
    try:
        if node.num_outputs == 1 and grad.dtype.kind == "c" and not node.complex_aware:
            in_grads = complex_backward(node, grad)
        else:
            in_grads = node.backward(grad)
    except Exception:
        _warn_forward_stack(node)
        raise
    if type(in_grads) is not tuple:
        in_grads = (in_grads,)
    if _state.check_nan:
        for i, g in enumerate(in_grads):
            if g is not None and np.isnan(g).any():
                _warn_forward_stack(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return in_grads
