"""``numbatorch.jit``: TorchScript's entry points as pass-throughs.

numbatorch runs everything as Python, so there is nothing to compile: ``script`` and ``trace`` return what
they are given (which then runs exactly as before), the decorators return the function they decorate, and
``is_scripting()``/``is_tracing()`` are False. Saving or loading TorchScript archives is not implemented.
"""
import typing
import warnings

from .nn.modules.module import Module

__all__ = ["Final", "ScriptFunction", "ScriptModule", "TracerWarning", "annotate", "export", "ignore", "interface",
           "is_scripting", "is_tracing", "load", "save", "script", "script_if_tracing", "trace", "trace_module",
           "unused"]

Final = typing.Final


class TracerWarning(Warning):
    """Warning category PyTorch's tracer uses; programs filter it by name."""


class ScriptModule(Module):
    """Base class of scripted modules; numbatorch's ``script`` returns the original module instead."""


class ScriptFunction:
    """Type of scripted functions; numbatorch's ``script`` returns the original function instead."""


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return ``obj`` (a module, function or class) unchanged: numbatorch runs it as Python."""
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None, example_kwarg_inputs=None,
          _store_inputs=True):
    """Return ``func`` unchanged: numbatorch runs it as Python, so it keeps its data-dependent control flow."""
    return func


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
                 strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg=False, _store_inputs=True):
    """Return ``mod`` unchanged (see ``trace``)."""
    return mod


def ignore(drop=False, **kwargs):
    """Decorator marking a function the compiler should leave as Python; ``@ignore`` and ``@ignore(drop=True)``."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """Decorator marking a function the compiler should replace by a raise; numbatorch keeps it callable."""
    return fn


def export(fn):
    """Decorator marking a method to compile as an entry point; returns it unchanged."""
    return fn


def interface(obj):
    """Decorator declaring a TorchScript interface; returns it unchanged."""
    return obj


def script_if_tracing(fn):
    """Decorator compiling ``fn`` only when tracing; returns it unchanged."""
    return fn


def annotate(the_type, the_value):
    """Give ``the_value`` the TorchScript type ``the_type``; returns the value."""
    return the_value


def is_scripting():
    """True inside TorchScript compilation: never in numbatorch."""
    return False


def is_tracing():
    """True while tracing: never in numbatorch."""
    return False


def save(m, f, _extra_files=None):
    """Save a TorchScript archive: not implemented, raises NotImplementedError."""
    raise NotImplementedError("numbatorch does not implement torch.jit.save yet: save the weights with "
                              "torch.save(model.state_dict(), path)")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """Load a TorchScript archive: not implemented, raises NotImplementedError."""
    raise NotImplementedError("numbatorch does not implement torch.jit.load yet: TorchScript archives hold "
                              "compiled graphs numbatorch cannot run; load a state_dict with torch.load instead")
